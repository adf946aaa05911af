#!/usr/bin/env node
// Runs the CLI straight from TypeScript source (packages export src/, no build step): tsx's ESM hook
// is registered first, then the entry point is imported.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
