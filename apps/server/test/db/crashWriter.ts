/**
 * Child process of the crash test in client.test.ts: opens the PGlite folder given as argv[2], commits one
 * user, prints `committed`, then hangs until the parent kills it with SIGKILL (no close, no lock release).
 */
import { openDatabase } from '../../src/db/client.ts';
import { createUser } from '../../src/db/repositories/index.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('expected a PGlite data folder as the first argument, got none');
const database = await openDatabase({ dataDir });
await createUser(database.db, { name: 'written-before-crash', role: 'viewer' });
process.stdout.write('committed\n');
setInterval(() => {}, 60_000);
