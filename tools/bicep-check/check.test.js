// Shows that check.js passes on the repository and catches each kind of drift it claims to catch:
// every case copies the checked files into a temporary folder, breaks one thing and expects a
// non-zero exit whose message names the problem.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const repo = path.resolve(__dirname, '..', '..');
const checkScript = path.join(__dirname, 'check.js');

function copyRepo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bicep-check-'));
  for (const item of ['infra', 'docs', 'host.json', 'local.settings.sample.json', 'src/MoneyKitBridge.Functions/Hosting/BridgeRoutes.cs']) {
    fs.mkdirSync(path.dirname(path.join(dir, item)), { recursive: true });
    fs.cpSync(path.join(repo, item), path.join(dir, item), { recursive: true });
  }
  return dir;
}

// The Bicep CLI step is exercised by its own tests below; the others run only the offline checks.
function run(dir, withCli = false) {
  const env = { ...process.env, BICEP_CHECK_CLI: withCli ? '1' : '0' };
  const result = spawnSync(process.execPath, [checkScript, dir], { encoding: 'utf8', env });
  return { status: result.status, output: result.stdout + result.stderr };
}

function edit(dir, file, from, to) {
  const full = path.join(dir, file);
  const text = fs.readFileSync(full, 'utf8');
  assert.ok(text.includes(from), `${file} should contain ${from}`);
  fs.writeFileSync(full, text.split(from).join(to));
}

function expectFailure(mutate, expected, withCli = false) {
  const dir = copyRepo();
  try {
    mutate(dir);
    const { status, output } = run(dir, withCli);
    assert.strictEqual(status, 1, output);
    assert.match(output, expected);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const cliPinned = process.platform === 'linux' && process.arch === 'x64';

test('the repository passes, including the Bicep CLI build and lint where it is pinned', () => {
  const { status, output } = run(repo, true);
  assert.strictEqual(status, 0, output);
  assert.match(output, /Bicep files parse cleanly/);
  assert.match(output, cliPinned ? /Bicep CLI [\d.]+: infra\/main\.bicep builds with 0 errors/ : /Bicep CLI step skipped/);
});

test('the Bicep CLI catches a reference to an undefined symbol, which parses fine', { skip: !cliPinned && 'Bicep CLI pinned for linux-x64 only' }, () => {
  expectFailure(
    (dir) => edit(dir, 'infra/modules/identity.bicep', 'location: location', 'location: locaton'),
    /bicep build: infra\/modules\/identity\.bicep\(\d+,\d+\) : Error BCP057/,
    true);
});

test('the Bicep CLI enforces the linter rules raised to error in bicepconfig.json', { skip: !cliPinned && 'Bicep CLI pinned for linux-x64 only' }, () => {
  expectFailure(
    (dir) => edit(dir, 'infra/modules/identity.bicep', 'param tags object\n', 'param tags object\nparam unused string\n'),
    /Error no-unused-params/,
    true);
});

test('an unclosed object is reported with its file', () => {
  expectFailure(
    (dir) => edit(dir, 'infra/modules/identity.bicep', "  tags: tags\n}", '  tags: tags\n'),
    /infra\/modules\/identity\.bicep:\d+:\d+ (missing|unexpected)/);
});

test('a stray token is reported with its line', () => {
  expectFailure(
    (dir) => edit(dir, 'infra/modules/monitoring.bicep', "    retentionInDays: 30\n", '    retentionInDays: 30 30 ==\n'),
    /infra\/modules\/monitoring\.bicep:\d+:\d+/);
});

test('a setting the app reads but the Bicep does not set', () => {
  expectFailure(
    (dir) => edit(dir, 'infra/modules/functionapp.bicep', '    MoneyKit__Version: settings.moneyKitVersion\n', ''),
    /setting MoneyKit__Version \(read by the app\) is not set/);
});

test('a secret put into app settings', () => {
  expectFailure(
    (dir) => edit(dir, 'infra/modules/functionapp.bicep', "    Standalone__RunTimer: 'false'\n", "    Standalone__RunTimer: 'false'\n    MoneyKit__ClientSecret: 'x'\n"),
    /app setting MoneyKit__ClientSecret must not be set in Azure/);
});

test('FUNCTIONS_WORKER_RUNTIME as an app setting on Flex', () => {
  expectFailure(
    (dir) => edit(dir, 'infra/modules/functionapp.bicep', "    Standalone__RunTimer: 'false'\n", "    Standalone__RunTimer: 'false'\n    FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'\n"),
    /FUNCTIONS_WORKER_RUNTIME must not be set in Azure/);
});

test('an undocumented vault secret', () => {
  expectFailure(
    (dir) => edit(dir, 'docs/deployment.md', 'Auth--Clients', 'the clients secret'),
    /no vault secret Auth--Clients documented/);
});

test('a missing role assignment', () => {
  expectFailure(
    (dir) => edit(dir, 'infra/modules/rbac.bicep', "roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)", "roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)"),
    /role Monitoring Metrics Publisher is never assigned to appPrincipalId/);
});

test('a storage role dropped from the looped list', () => {
  expectFailure(
    (dir) => edit(dir, 'infra/modules/rbac.bicep', '  roles.storageQueueDataContributor\n', ''),
    /role Storage Queue Data Contributor is never assigned to appPrincipalId/);
});

test('a function.json folder left at the root', () => {
  expectFailure(
    (dir) => {
      fs.mkdirSync(path.join(dir, 'GetLink'));
      fs.writeFileSync(path.join(dir, 'GetLink', 'function.json'), '{"bindings":[]}');
    },
    /GetLink\/function\.json: function folders are not used by the isolated worker/);
});

test('a host.json that still starts a custom handler', () => {
  expectFailure(
    (dir) => edit(dir, 'host.json', '"version": "2.0",', '"version": "2.0",\n  "customHandler": { "description": { "defaultExecutablePath": "handler/x" } },'),
    /customHandler must not be set/);
});

test('a timer schedule setting that Azure does not define', () => {
  expectFailure(
    (dir) => edit(dir, 'src/MoneyKitBridge.Functions/Hosting/BridgeRoutes.cs', '%RefreshStaleLinks:Schedule%', '%RefreshSchedule%'),
    /RefreshSchedule is missing from local\.settings\.sample\.json/);
});

test('a Flex runtime other than dotnet-isolated 10.0', () => {
  expectFailure(
    (dir) => edit(dir, 'infra/modules/functionapp.bicep', "name: 'dotnet-isolated'", "name: 'custom'"),
    /functionAppConfig\.runtime must be \{ name: 'dotnet-isolated', version: '10\.0' \}/);
});
