/**
 * Resolves the few CloudFormation intrinsics that appear in a rendered or synthesized state
 * machine definition (Fn::Join, Ref, Fn::GetAtt), so one ASL can be read by the local runner and
 * compared with what CDK deploys.
 */
export type RefResolver = (ref: { Ref: string } | { 'Fn::GetAtt': [string, string] }) => string;

export const defaultRefs: RefResolver = (ref) => {
  if ('Ref' in ref) {
    if (ref.Ref === 'AWS::Partition') return 'aws';
    if (ref.Ref === 'AWS::Region') return 'eu-north-1';
    if (ref.Ref === 'AWS::AccountId') return '000000000000';
    if (ref.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
  }
  throw new Error(`cannot resolve ${JSON.stringify(ref)}`);
};

export function resolveIntrinsics(value: unknown, refs: RefResolver = defaultRefs): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, refs));
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolveIntrinsics(p, refs)).join(sep);
    }
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Fn::GetAtt')) return refs(obj as never);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveIntrinsics(v, refs)]));
  }
  return value;
}
