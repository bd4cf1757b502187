// @actions/workflow-parser imports its JSON schema without an import attribute, which Node refuses outside a
// bundler: add it (named importAttributes since Node 20.10, importAssertions before).
export async function load(url, context, next) {
  if (!url.endsWith('.json')) return next(url, context);
  const key = 'importAttributes' in context ? 'importAttributes' : 'importAssertions';
  return next(url, { ...context, [key]: { type: 'json' } });
}
