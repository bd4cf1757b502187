// Parses each workflow with GitHub's own parser and schema (@actions/workflow-parser) and converts it to
// GitHub's workflow model; prints every error and fails when there is one.
import { register } from 'node:module';
import { readFileSync } from 'node:fs';

register('./json-hook.mjs', import.meta.url);
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');

let problems = 0;
for (const name of process.argv.slice(2)) {
  const result = parseWorkflow({ name, content: readFileSync(name, 'utf8') }, new NoOperationTraceWriter());
  if (result.value) await convertWorkflowTemplate(result.context, result.value);
  for (const e of result.context.errors.getErrors()) {
    console.log(e.message);
    problems++;
  }
}
process.exit(problems ? 1 : 0);
