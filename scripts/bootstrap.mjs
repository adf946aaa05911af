#!/usr/bin/env node
// Makes a fresh machine with only Node 20 + npm able to run the project: it provides pnpm (the pinned
// version, installed into ./.tools when no matching pnpm is on PATH — corepack cannot verify pnpm's
// signature against this registry, see STACK.md §1), installs the workspace from the lockfile when the
// lockfile changed since the last install, then runs the requested command with the workspace's bins on
// PATH (`flowsteer`, `vitest`, `tsx`, …).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const quiet = process.env.FLOWSTEER_BOOTSTRAP_QUIET === '1';

function log(message) {
  if (!quiet) process.stderr.write(`[bootstrap] ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pnpmOnPath() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.trim() === pnpmVersion ? 'pnpm' : null;
}

function ensurePnpm() {
  const global = pnpmOnPath();
  if (global) return global;
  const local = join(root, '.tools', 'node_modules', '.bin', 'pnpm');
  if (existsSync(local)) return local;
  log(`installing pnpm@${pnpmVersion} into .tools/ (no matching pnpm on PATH)`);
  mkdirSync(join(root, '.tools'), { recursive: true });
  const status = run('npm', ['install', '--no-save', '--prefix', join(root, '.tools'), `pnpm@${pnpmVersion}`]);
  if (status !== 0 || !existsSync(local)) {
    process.stderr.write(`[bootstrap] could not install pnpm@${pnpmVersion} with npm (exit ${status})\n`);
    process.exit(1);
  }
  return local;
}

function ensureInstalled(pnpm) {
  const lock = readFileSync(join(root, 'pnpm-lock.yaml'));
  const manifests = ['package.json', 'pnpm-workspace.yaml']
    .map((file) => readFileSync(join(root, file), 'utf8'))
    .join('\n');
  const digest = createHash('sha256').update(lock).update(manifests).digest('hex');
  const stamp = join(root, 'node_modules', '.flowsteer-install-stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  log('installing workspace dependencies from pnpm-lock.yaml');
  const status = run(pnpm, ['install', '--frozen-lockfile', '--config.confirmModulesPurge=false'], {
    env: { ...process.env, CI: 'true' },
  });
  if (status !== 0) process.exit(status);
  writeFileSync(stamp, digest);
}

const pnpm = ensurePnpm();
ensureInstalled(pnpm);
const [command, ...args] = process.argv.slice(2);
if (!command) process.exit(0);
const bins = [join(root, 'node_modules', '.bin'), join(root, 'apps', 'server', 'node_modules', '.bin')];
const env = { ...process.env, PATH: [...bins, dirname(pnpm), process.env.PATH ?? ''].join(delimiter) };
const child = spawnSync(command, args, { stdio: 'inherit', cwd: process.env.INIT_CWD ?? root, env });
if (child.error) {
  process.stderr.write(`[bootstrap] could not start '${command}': ${child.error.message}\n`);
  process.exit(1);
}
process.exit(child.status ?? 1);
