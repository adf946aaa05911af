/**
 * `@flowsteer/server`: the `flowsteer` CLI for now (GraphQL API and training jobs come later).
 * @packageDocumentation
 */
export { main } from './cli/main.ts';
export { createRuntime, loadDatasets, type LoadedDataset, type Runtime, type RuntimeOptions } from './cli/runtime.ts';
export { fixed, renderTable, type TextTable } from './cli/table.ts';
export { createProgressBar, type ProgressBar } from './cli/progressBar.ts';
export { renderEvalTable } from './cli/evalCommand.ts';
