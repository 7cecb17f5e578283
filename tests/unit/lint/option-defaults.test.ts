// Every optional property of a public options type says its default (`@default` in its doc comment), so
// an outsider reading the types or the editor's hover knows what leaving it out does.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(folder, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(folder, entry.name)]
        : [],
  );
}

function optionsWithoutDefault(path: string, text = readFileSync(path, 'utf8')): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const missing: string[] = [];
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || !/(Options|Config)$/.test(node.name.text)) return;
    if (!node.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) return;
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !member.questionToken) continue;
      const documented = ts.getJSDocTags(member).some((tag) => tag.tagName.text === 'default');
      if (!documented) missing.push(`${path}: ${node.name.text}.${member.name.getText(source)}`);
    }
  });
  return missing;
}

describe('public options types', () => {
  const packages = readdirSync('packages').map((name) => join('packages', name, 'src'));

  it('document the default of every optional property', () => {
    const files = packages.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap((file) => optionsWithoutDefault(file))).toEqual([]);
  });

  it('are found by this check: an undocumented optional property is reported, a required one is not', () => {
    const text = [
      'export interface ProbeOptions {',
      '  /** no default said */',
      '  size?: number;',
      '  /** @default 2 */',
      '  other?: number;',
      '  required: string;',
      '}',
      'interface InternalOptions {',
      '  hidden?: number;',
      '}',
    ].join('\n');
    expect(optionsWithoutDefault('probe.ts', text)).toEqual(['probe.ts: ProbeOptions.size']);
  });
});
