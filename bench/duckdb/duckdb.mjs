// duckdb.mjs runs SQL statements in an in-memory DuckDB and prints the rows
// of the last one as a JSON array of objects (DuckDB's JSON conversion:
// lists are arrays, FLOAT and DOUBLE numbers, BIGINT strings). It is the
// real engine behind vecdb's Parquet interoperability test
// (format/parquet/duckdb_test.go):
//
//	node bench/duckdb/duckdb.mjs "SELECT 42 AS x"
import { DuckDBInstance } from '@duckdb/node-api';

const statements = process.argv.slice(2);
if (statements.length === 0) {
  console.error('usage: node duckdb.mjs SQL...');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
let rows = [];
for (const sql of statements) {
  const reader = await conn.runAndReadAll(sql);
  rows = reader.getRowObjectsJson();
}
process.stdout.write(JSON.stringify(rows) + '\n');
