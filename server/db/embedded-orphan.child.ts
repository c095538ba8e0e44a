// Starts an embedded PostgreSQL in the folder given as argv[2] and says "ready"; the test
// (embedded.integration.test.ts) then kills this process without letting it stop the server.
import { startEmbeddedDatabase } from "./embedded";

const database = await startEmbeddedDatabase({ dir: process.argv[2]!, password: process.argv[3]! });
console.log(`ready ${database.serverUrl}`);
setInterval(() => {}, 60_000);
