// Per-call latency of the reference Cedar implementation, @cedar-policy/cedar-wasm (pinned in
// package.json next to this file), on the OOPSLA 2024 scenarios. It is the counterpart of
// bench/cedar_oopsla_bench.cc and follows the method of the reference timings in
// <oopsla-dir>/README.md ("stateful" column), so that both sides are measured in one run on one
// machine:
//   * policies are pre-parsed once (preparsePolicySet); the schema is pre-parsed once too
//     (preparseSchema), but is only used by the calls with --with-schema;
//   * every request is one statefulIsAuthorized call, timed on its own with
//     process.hrtime.bigint(); the call objects are built before timing;
//   * the wasm API has no pre-parsed entity store, so `entities` goes with every call and is
//     converted, parsed and transitively closed by Cedar each time. That cost dominates.
//   * every answer (decision, reason set, error count) is checked against `expected`, outside the timed
//     region.
//
//   node cedar_wasm_bench.mjs --oopsla-dir DIR --out FILE [--rounds N] [--warmup N]
//                             [--modules-dir DIR] [--with-schema]
//
// --modules-dir is the directory where `npm ci` installed this package.json (it holds
// node_modules/); the default is this script's directory. compare_with_reference.sh installs
// into <build>/reference-node so that no node_modules appears in the source tree.
//
// Default rounds (one round = all 500 requests of a scenario, in file order):
//   n5:  1 warm-up + 5 timed rounds (2,500 timed calls at ~0.4-4 ms each, 15-25 s for all three)
//   n50: 1 warm-up + 2 timed rounds (1,000 timed calls at ~13-40 ms each, 1-2.5 min for all three)
// The whole run took ~95 s on a 2-vCPU VM at load ~3; with a heavier concurrent job, expect ~3 min.
// --rounds / --warmup override both sizes. 1,000 samples still give a p99 that is the 10th
// slowest call rather than the single slowest one.
//
// Exit status: 0 if every answer matched, 1 on any mismatch (the JSON is written first),
// 2 on bad usage or unreadable input.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCENARIOS = ['gdrive/n5', 'gdrive/n50', 'github/n5', 'github/n50', 'tinytodo/n5', 'tinytodo/n50'];
const DEFAULT_ROUNDS = { n5: { warmup: 1, rounds: 5 }, n50: { warmup: 1, rounds: 2 } };

function usage(message) {
  if (message) console.error(`cedar_wasm_bench: ${message}`);
  console.error('usage: node cedar_wasm_bench.mjs --oopsla-dir DIR --out FILE [--rounds N] [--warmup N]\n' +
                '                                 [--modules-dir DIR] [--with-schema]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { modulesDir: path.dirname(fileURLToPath(import.meta.url)), withSchema: false };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${arg} needs a value`));
    const count = (min) => {
      const text = value();
      const n = Number(text);
      if (!Number.isInteger(n) || n < min) usage(`${arg} must be an integer >= ${min}, not ${text}`);
      return n;
    };
    switch (arg) {
      case '--oopsla-dir': opts.oopslaDir = value(); break;
      case '--out': opts.out = value(); break;
      case '--rounds': opts.rounds = count(1); break;
      case '--warmup': opts.warmup = count(0); break;
      case '--modules-dir': opts.modulesDir = value(); break;
      case '--with-schema': opts.withSchema = true; break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${arg}`);
    }
  }
  if (!opts.oopslaDir) usage('--oopsla-dir is required');
  if (!opts.out) usage('--out is required');
  return opts;
}

// Loads the Node.js build of cedar-wasm from <modulesDir>/node_modules. createRequire is used
// instead of a static import because the package is installed outside the source tree, where
// ES module resolution (which ignores NODE_PATH) would not find it.
function loadCedar(modulesDir) {
  const require = createRequire(path.join(path.resolve(modulesDir), 'package.json'));
  let entry;
  try {
    entry = require.resolve('@cedar-policy/cedar-wasm/nodejs');
  } catch {
    console.error(`cedar_wasm_bench: @cedar-policy/cedar-wasm is not installed under ${modulesDir}; ` +
                  'run `npm ci` there (compare_with_reference.sh does this)');
    process.exit(2);
  }
  // The package's "exports" map hides package.json, so read it from disk to learn the version.
  const pkgJson = path.join(path.dirname(entry), '..', 'package.json');
  const version = JSON.parse(readFileSync(pkgJson, 'utf8')).version;
  return { cedar: require(entry), version };
}

// The version this script is meant to measure is the one pinned in package.json next to it;
// refusing to run anything else keeps the numbers comparable with reference-latency.json.
function pinnedVersion() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const pkg = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
  return pkg.dependencies['@cedar-policy/cedar-wasm'];
}

// Bad input data is a usage problem (exit 2), not a mismatch (exit 1).
function fail(message) {
  console.error(`cedar_wasm_bench: ${message}`);
  process.exit(2);
}

function readText(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot read ${file}: ${err.message}`);
  }
}

function readJson(file) {
  try {
    return JSON.parse(readText(file));
  } catch (err) {
    fail(`cannot parse ${file}: ${err.message}`);
  }
}

// Same definition as cedar_oopsla_bench.cc: the element at index floor(p * n) of the sorted
// samples (capped at n - 1), so that both sides report comparable percentiles.
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function sameReasons(actual, expected) {
  if (actual.length !== expected.length) return false;
  const a = [...actual].sort();
  const e = [...expected].sort();
  return a.every((id, i) => id === e[i]);
}

// Returns a description of how `answer` differs from `expected`, or null when it matches.
function compareAnswer(answer, expected) {
  if (answer.type !== 'success') {
    return `call failed: ${answer.errors.map((e) => e.message).join('; ')}`;
  }
  const { decision, diagnostics } = answer.response;
  if (decision !== expected.decision) return `decision ${decision}, expected ${expected.decision}`;
  if (!sameReasons(diagnostics.reason, expected.reason)) {
    return `reasons [${diagnostics.reason}], expected [${expected.reason}]`;
  }
  if (diagnostics.errors.length !== expected.errors.length) {
    return `${diagnostics.errors.length} evaluation errors, expected ${expected.errors.length}`;
  }
  return null;
}

function runScenario(cedar, opts, name) {
  const dir = path.join(opts.oopslaDir, name);
  const size = name.split('/')[1];
  const warmup = opts.warmup ?? DEFAULT_ROUNDS[size].warmup;
  const rounds = opts.rounds ?? DEFAULT_ROUNDS[size].rounds;

  // Pre-parse once, outside any timing. The ids only need to be unique per scenario.
  const policySetId = `oopsla/${name}`;
  const schemaName = `oopsla/${name}`;
  const policies = cedar.preparsePolicySet(policySetId, { staticPolicies: readText(path.join(dir, 'policies.cedar')) });
  if (policies.type !== 'success') fail(`${name}: policies: ${JSON.stringify(policies.errors)}`);
  const schema = cedar.preparseSchema(schemaName, readJson(path.join(dir, 'schema.cedarschema.json')));
  if (schema.type !== 'success') fail(`${name}: schema: ${JSON.stringify(schema.errors)}`);

  const entities = readJson(path.join(dir, 'entities.json'));
  const requests = readJson(path.join(dir, 'requests.json'));
  // Built once so that the timed region holds only the call. The same `entities` array goes
  // with every call; cedar-wasm converts and parses it anew each time (nothing to cache).
  const calls = requests.map((r) => ({
    principal: r.principal,
    action: r.action,
    resource: r.resource,
    context: r.context,
    preparsedPolicySetId: policySetId,
    ...(opts.withSchema ? { preparsedSchemaName: schemaName } : {}),
    entities,
  }));

  const times = new Float64Array(rounds * calls.length);  // microseconds, timed rounds only
  const wrong = new Map();  // request index -> first difference seen, over all rounds
  let t = 0;
  for (let round = 0; round < warmup + rounds; ++round) {
    const timed = round >= warmup;
    for (let i = 0; i < calls.length; ++i) {
      const start = process.hrtime.bigint();
      const answer = cedar.statefulIsAuthorized(calls[i]);
      const stop = process.hrtime.bigint();
      if (timed) times[t++] = Number(stop - start) / 1000;
      const diff = compareAnswer(answer, requests[i].expected);
      if (diff !== null && !wrong.has(i)) wrong.set(i, diff);
    }
  }
  for (const [i, diff] of [...wrong].slice(0, 5)) {
    console.error(`cedar_wasm_bench: ${name} request ${i}: ${diff}`);
  }

  times.sort();
  const result = {
    name,
    p50_us: percentile(times, 0.5),
    p99_us: percentile(times, 0.99),
    calls: times.length,
    mismatches: wrong.size,  // requests (of the 500) answered differently at least once
    warmup_rounds: warmup,
    timed_rounds: rounds,
  };
  console.error(`cedar_wasm_bench: ${name}: p50 ${result.p50_us.toFixed(1)} us, p99 ${result.p99_us.toFixed(1)} us, ` +
                `${result.calls} timed calls, ${result.mismatches} mismatches`);
  return result;
}

const opts = parseArgs(process.argv.slice(2));
const { cedar, version } = loadCedar(opts.modulesDir);
const pinned = pinnedVersion();
if (version !== pinned) {
  console.error(`cedar_wasm_bench: installed @cedar-policy/cedar-wasm is ${version}, but ${pinned} is pinned; ` +
                'reinstall with `npm ci`');
  process.exit(2);
}

const scenarios = SCENARIOS.map((name) => runScenario(cedar, opts, name));
const report = {
  cedar_wasm: version,
  cedar_lang: cedar.getCedarLangVersion(),
  node: process.version,
  mode: opts.withSchema ? 'stateful+schema' : 'stateful',
  scenarios,
};
mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n');

const mismatches = scenarios.reduce((sum, s) => sum + s.mismatches, 0);
if (mismatches > 0) {
  console.error(`cedar_wasm_bench: ${mismatches} request(s) answered differently from expected`);
  process.exit(1);
}
