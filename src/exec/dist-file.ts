/** A file of the build (dist/<name>): see core/dist-file.ts (the runbook layer needs it too). */
export { distFile } from '../core/dist-file.js';
