// The one place product code imports e2e/: `ferry lab` runs the in-memory API server of
// e2e/apiserver (the only thing in the lab that is not real). scripts/check-imports.ts allows this
// file, and only this file, to do so (src/README.md); the rest of the lab imports it from here.
export { startApiServer, type ApiServer } from '../../e2e/apiserver/server.js';
