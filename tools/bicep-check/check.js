#!/usr/bin/env node
// Offline checks of the deployment files (no Bicep compiler or Azure login needed):
//  1. every .bicep file of the repository parses with tree-sitter-bicep (no ERROR or MISSING node);
//  2. every setting the app reads (local.settings.sample.json) is set by the function app's Bicep
//     app settings, or is a vault secret documented in docs/deployment.md, or is local-only with a
//     named Azure counterpart; every bridge setting is documented in docs/deployment.md;
//  3. every role the app identity needs is assigned in infra/modules/rbac.bicep;
//  4. host.json is an isolated-worker host.json (no customHandler, route prefix api), no
//     <Function>/function.json folders remain (the Worker SDK generates functions.metadata), and every
//     %Setting% a trigger attribute in src/ names is set locally and in Azure;
//  5. infra/main.bicep compiles and lints (infra/bicepconfig.json) with the official Bicep CLI, pinned
//     in bicep-cli/BicepCli.csproj and restored from NuGet on linux-x64 (BICEP_CLI=<path> to use another
//     binary, BICEP_CHECK_CLI=0 to skip this step).
// Usage: npm --prefix tools/bicep-check run check [-- <repo-root>]
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const Parser = require('tree-sitter');
const Bicep = require('tree-sitter-bicep');

const root = path.resolve(process.argv[2] || path.join(__dirname, '..', '..'));
const skipDirs = new Set(['node_modules', '.git', 'artifacts', 'bin', 'obj', 'publish', '.azure']);
const problems = [];
let checks = 0;

function fail(message) {
  problems.push(message);
}

function rel(file) {
  return path.relative(root, file).split(path.sep).join('/');
}

function readText(file) {
  return fs.readFileSync(file, 'utf8');
}

function readJson(file) {
  try {
    return JSON.parse(readText(file));
  } catch (error) {
    fail(`${rel(file)}: not valid JSON (${error.message})`);
    return null;
  }
}

function findFiles(dir, predicate, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) {
        findFiles(path.join(dir, entry.name), predicate, found);
      }
    } else if (predicate(entry.name)) {
      found.push(path.join(dir, entry.name));
    }
  }
  return found.sort();
}

// ---------------------------------------------------------------------------------------------
// 1. Syntax of every .bicep file.
const parser = new Parser();
parser.setLanguage(Bicep);
const trees = new Map();

function syntaxErrors(node, found = []) {
  if (node.type === 'ERROR' || node.isMissing) {
    const at = `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
    found.push(node.isMissing ? `${at} missing ${node.type}` : `${at} unexpected '${node.text.split('\n')[0].slice(0, 60)}'`);
  }
  if (node.hasError || node.type === 'ERROR') {
    for (const child of node.children) {
      syntaxErrors(child, found);
    }
  }
  return found;
}

const bicepFiles = findFiles(root, (name) => name.endsWith('.bicep'));
if (bicepFiles.length === 0) {
  fail('no .bicep file found');
}
for (const file of bicepFiles) {
  checks++;
  const tree = parser.parse(readText(file));
  trees.set(rel(file), tree);
  for (const error of syntaxErrors(tree.rootNode)) {
    fail(`${rel(file)}:${error}`);
  }
}

// Helpers over the syntax tree.
function unquote(node) {
  return node.type === 'string' ? node.text.slice(1, -1) : node.text;
}

function propertyKey(property) {
  return unquote(property.namedChildren[0]);
}

function propertyValue(property) {
  return property && property.namedChildren.filter((child) => child.type !== 'comment')[1];
}

function objectProperties(objectNode) {
  return objectNode ? objectNode.namedChildren.filter((child) => child.type === 'object_property') : [];
}

function property(objectNode, key) {
  return objectProperties(objectNode).find((p) => propertyKey(p) === key);
}

function resources(tree) {
  return tree.rootNode.namedChildren
    .filter((node) => node.type === 'resource_declaration')
    .map((node) => ({
      node,
      type: unquote(node.namedChildren.find((child) => child.type === 'string')),
      body: node.namedChildren.find((child) => child.type === 'object'),
    }));
}

function treeOf(file) {
  const tree = trees.get(file);
  if (!tree) {
    fail(`${file}: missing`);
  }
  return tree;
}

// ---------------------------------------------------------------------------------------------
// 2. Settings: local.settings.sample.json <-> Bicep app settings <-> docs/deployment.md.
// Local-only settings and what replaces them in Azure.
const localOnly = {
  FUNCTIONS_WORKER_RUNTIME: 'functionAppConfig.runtime (dotnet-isolated 10.0) on Flex Consumption',
  AzureWebJobsStorage: 'AzureWebJobsStorage__accountName/__credential/__clientId',
  Storage__ConnectionString: 'Storage__TableServiceUri + Storage__ManagedIdentityClientId',
};
// Secrets: configuration keys locally, vault secrets (A--B) in Azure.
const secrets = ['MoneyKit__ClientId', 'MoneyKit__ClientSecret', 'Auth__SigningKey', 'Auth__Clients'];
// Settings the Azure deployment needs beyond the sample (identity-based connections, telemetry).
const azureOnly = [
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'Storage__TableServiceUri',
  'Storage__ManagedIdentityClientId',
];
// Never in Azure app settings: Flex rejects them, or they would carry a secret.
const forbiddenInAzure = ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE', 'AzureWebJobsStorage', 'Storage__ConnectionString', ...secrets];

const sample = readJson(path.join(root, 'local.settings.sample.json'));
const docsFile = path.join(root, 'docs', 'deployment.md');
const docs = fs.existsSync(docsFile) ? readText(docsFile) : '';
if (!docs) {
  fail('docs/deployment.md: missing');
}

const appTree = treeOf('infra/modules/functionapp.bicep');
const appSettingsResource = appTree && resources(appTree).find((r) => r.type.startsWith('Microsoft.Web/sites/config@') && unquote(propertyValue(property(r.body, 'name'))) === 'appsettings');
const azureSettings = new Map();
if (appTree && !appSettingsResource) {
  fail("infra/modules/functionapp.bicep: no 'Microsoft.Web/sites/config' resource named 'appsettings'");
}
if (appSettingsResource) {
  for (const p of objectProperties(propertyValue(property(appSettingsResource.body, 'properties')))) {
    azureSettings.set(propertyKey(p), propertyValue(p).text);
  }
}

if (sample) {
  checks++;
  if (sample.IsEncrypted !== false) {
    fail('local.settings.sample.json: IsEncrypted must be false');
  }
  const values = sample.Values || {};
  if (String(values.FUNCTIONS_WORKER_RUNTIME).toLowerCase() !== 'dotnet-isolated') {
    fail('local.settings.sample.json: FUNCTIONS_WORKER_RUNTIME must be dotnet-isolated');
  }
  for (const key of Object.keys(values)) {
    checks++;
    if (!docs.includes(`\`${key}\``)) {
      fail(`docs/deployment.md: setting ${key} is not documented`);
    }
    if (key in localOnly) {
      continue;
    }
    if (secrets.includes(key)) {
      const vaultName = key.replace(/__/g, '--');
      if (!docs.includes(vaultName)) {
        fail(`docs/deployment.md: secret ${key} has no vault secret ${vaultName} documented`);
      }
      continue;
    }
    if (!azureSettings.has(key)) {
      fail(`infra/modules/functionapp.bicep: setting ${key} (read by the app) is not set in the app settings`);
    }
  }
  for (const key of secrets) {
    if (!(key in values)) {
      fail(`local.settings.sample.json: secret ${key} needs a fake local value`);
    }
  }
}
for (const key of azureOnly) {
  checks++;
  if (!azureSettings.has(key)) {
    fail(`infra/modules/functionapp.bicep: app setting ${key} is missing`);
  }
}
for (const key of forbiddenInAzure) {
  checks++;
  if (azureSettings.has(key)) {
    fail(`infra/modules/functionapp.bicep: app setting ${key} must not be set in Azure`);
  }
}
for (const [key, value] of azureSettings) {
  checks++;
  if (!docs.includes(`\`${key}\``)) {
    fail(`docs/deployment.md: app setting ${key} is not documented`);
  }
  if (/secret|password|listKeys|AccountKey/i.test(value)) {
    fail(`infra/modules/functionapp.bicep: app setting ${key} looks like it carries a secret`);
  }
}
if (appTree && !/runtime:\s*\{\s*name:\s*'dotnet-isolated'\s*version:\s*'10\.0'/.test(appTree.rootNode.text)) {
  fail("infra/modules/functionapp.bicep: functionAppConfig.runtime must be { name: 'dotnet-isolated', version: '10.0' }");
}

// ---------------------------------------------------------------------------------------------
// 3. Roles of the app identity (and the deployer's vault writer role).
const requiredRoles = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': ['Storage Blob Data Owner', 'appPrincipalId'],
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': ['Storage Queue Data Contributor', 'appPrincipalId'],
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': ['Storage Table Data Contributor', 'appPrincipalId'],
  '4633458b-17de-408a-b874-0445c86b69e6': ['Key Vault Secrets User', 'appPrincipalId'],
  '3913510d-42f4-4e42-8a64-420c390055eb': ['Monitoring Metrics Publisher', 'appPrincipalId'],
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': ['Key Vault Secrets Officer', 'deployerPrincipalId'],
};
const rbacTree = treeOf('infra/modules/rbac.bicep');
if (rbacTree) {
  // roles.<name> -> GUID, from the `roles` object variable.
  const roleGuids = new Map([...rbacTree.rootNode.text.matchAll(/(\w+):\s*'([0-9a-f-]{36})'/g)].map((m) => [m[1], m[2]]));
  const variables = new Map(rbacTree.rootNode.namedChildren
    .filter((node) => node.type === 'variable_declaration')
    .map((node) => [node.namedChildren[0].text, node]));
  // (principal expression, role GUID) of every roleAssignments resource, resolving `for x in list`.
  const assigned = new Set();
  for (const r of resources(rbacTree).filter((x) => x.type.startsWith('Microsoft.Authorization/roleAssignments@'))) {
    const loop = r.node.namedChildren.find((child) => child.type === 'for_statement');
    const condition = r.node.namedChildren.find((child) => child.type === 'if_statement');
    const body = loop ? loop.childForFieldName('body')
      : condition ? condition.namedChildren.find((child) => child.type === 'object') : r.body;
    const props = propertyValue(property(body, 'properties'));
    const roleDefinition = propertyValue(property(props, 'roleDefinitionId'));
    const principal = propertyValue(property(props, 'principalId'));
    if (!roleDefinition || !principal) {
      fail(`infra/modules/rbac.bicep:${r.node.startPosition.row + 1}: role assignment without roleDefinitionId or principalId`);
      continue;
    }
    let source = roleDefinition.text;
    if (loop) {
      const loopVariable = loop.childForFieldName('initializer').text;
      const list = loop.namedChildren.filter((child) => child.type === 'identifier')[1];
      if (new RegExp(`\\b${loopVariable}\\b`).test(roleDefinition.text) && list && variables.has(list.text)) {
        source += variables.get(list.text).text;
      }
    }
    for (const match of source.matchAll(/roles\.(\w+)/g)) {
      assigned.add(`${principal.text} ${roleGuids.get(match[1])}`);
    }
  }
  for (const [guid, [title, principal]] of Object.entries(requiredRoles)) {
    checks++;
    if (!assigned.has(`${principal} ${guid}`)) {
      fail(`infra/modules/rbac.bicep: role ${title} is never assigned to ${principal}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 4. host.json, no function.json folders, and the settings trigger attributes name.
const host = readJson(path.join(root, 'host.json'));
if (host) {
  checks++;
  if (host.version !== '2.0') fail('host.json: version must be 2.0');
  if (host.customHandler) {
    fail('host.json: customHandler must not be set (the app is a .NET isolated worker)');
  }
  if (!host.extensions || !host.extensions.http || host.extensions.http.routePrefix !== 'api') {
    fail('host.json: extensions.http.routePrefix must be api');
  }
}
for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
  if (entry.isDirectory() && fs.existsSync(path.join(root, entry.name, 'function.json'))) {
    fail(`${entry.name}/function.json: function folders are not used by the isolated worker (the build writes functions.metadata from the [Function] attributes)`);
  }
}
const sourceDir = path.join(root, 'src');
const attributeSettings = new Set();
if (fs.existsSync(sourceDir)) {
  for (const file of findFiles(sourceDir, (name) => name.endsWith('.cs'))) {
    for (const match of readText(file).matchAll(/"%([A-Za-z_][\w:]*)%"/g)) {
      attributeSettings.add(match[1].replace(/:/g, '__'));
    }
  }
}
if (attributeSettings.size === 0) {
  fail('src: no trigger attribute names a %Setting% (the RefreshStaleLinks schedule should)');
}
for (const setting of attributeSettings) {
  checks++;
  if (!sample || !(setting in (sample.Values || {}))) fail(`src: ${setting} is missing from local.settings.sample.json`);
  if (!azureSettings.has(setting)) fail(`src: ${setting} is not set by the Bicep app settings (the host would not index the function)`);
}

// ---------------------------------------------------------------------------------------------
// 5. The official Bicep CLI: type checks and the linter rules of infra/bicepconfig.json.
const bicepVersion = '0.49.2';
let cliSummary = '';

function locateBicep() {
  if (process.env.BICEP_CLI) {
    return { path: process.env.BICEP_CLI };
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { skip: 'the pinned Bicep CLI package is linux-x64 only; set BICEP_CLI to a bicep binary' };
  }
  const project = path.join(__dirname, 'bicep-cli', 'BicepCli.csproj');
  const binary = path.join(__dirname, 'bicep-cli', 'packages', 'azure.bicep.commandline.linux-x64', bicepVersion, 'tools', 'bicep');
  if (!fs.existsSync(binary)) {
    const restore = spawnSync('dotnet', ['restore', project, '--verbosity', 'quiet'], { encoding: 'utf8' });
    if (restore.error || restore.status !== 0 || !fs.existsSync(binary)) {
      return { error: `could not restore Azure.Bicep.CommandLine.linux-x64 ${bicepVersion} (${restore.error ? restore.error.message : (restore.stdout + restore.stderr).trim()})` };
    }
  }
  fs.chmodSync(binary, 0o755);
  return { path: binary };
}

const mainBicep = path.join(root, 'infra', 'main.bicep');
if (process.env.BICEP_CHECK_CLI === '0') {
  cliSummary = 'Bicep CLI step skipped (BICEP_CHECK_CLI=0)';
} else if (fs.existsSync(mainBicep)) {
  const cli = locateBicep();
  if (cli.skip) {
    cliSummary = `Bicep CLI step skipped: ${cli.skip}`;
  } else if (cli.error) {
    fail(cli.error);
  } else {
    checks++;
    const build = spawnSync(cli.path, ['build', mainBicep, '--stdout'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const diagnostics = (build.stderr || '').split('\n').map((line) => line.trim()).filter(Boolean)
      .map((line) => line.split(root + path.sep).join(''));
    const errors = diagnostics.filter((line) => / : Error /.test(line));
    const warnings = diagnostics.filter((line) => / : Warning /.test(line));
    if (build.error || build.status !== 0 || errors.length > 0) {
      for (const line of errors.length > 0 ? errors : diagnostics) fail(`bicep build: ${line}`);
      if (build.error) fail(`bicep build: ${build.error.message}`);
      if (errors.length === 0 && diagnostics.length === 0) fail(`bicep build exited with ${build.status}`);
    }
    for (const line of warnings) console.log(`warning: bicep build: ${line}`);
    cliSummary = `Bicep CLI ${bicepVersion}: infra/main.bicep builds with ${errors.length} errors and ${warnings.length} warnings`;
  }
}

// ---------------------------------------------------------------------------------------------
if (problems.length > 0) {
  for (const problem of problems) {
    console.error(`error: ${problem}`);
  }
  console.error(`bicep-check: ${problems.length} problem(s) in ${bicepFiles.length} Bicep files`);
  process.exit(1);
}
console.log(`bicep-check: ${cliSummary}`);
console.log(`bicep-check: ${bicepFiles.length} Bicep files parse cleanly; ${checks} structure checks passed (${attributeSettings.size} trigger settings, ${azureSettings.size} app settings)`);
