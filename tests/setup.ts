// Registers aws-sdk-client-mock's vitest matchers (toHaveReceivedCommandWith, …) for every project.
import 'aws-sdk-client-mock-vitest/extend';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
