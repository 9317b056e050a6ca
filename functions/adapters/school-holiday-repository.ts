/** The school holidays a coordinator set for a year: one small item per year under SETTINGS. */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SchoolHolidayRepository, StoredSchoolHolidays } from '#core/ports.ts';
import { strip } from './dynamo.ts';
import { keys } from './table-model.ts';

export class DynamoSchoolHolidays implements SchoolHolidayRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(year: number): Promise<StoredSchoolHolidays | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.schoolHolidays(year), ConsistentRead: true }));
    return strip<StoredSchoolHolidays>(r.Item);
  }

  async put(value: StoredSchoolHolidays): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...value, ...keys.schoolHolidays(value.year) } }));
  }

  async delete(year: number): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: keys.schoolHolidays(year) }));
  }
}
