/**
 * Copies the class JSDoc tags the analyzer does not know (`@status`, `@since`, `@dependency`) onto the
 * element's declaration, so Storybook and IDEs can show them.
 */
function customTagsPlugin(tags = ['status', 'since', 'dependency']) {
  return {
    name: 'mx-custom-tags',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      const declaration = moduleDoc.declarations?.find((d) => d.name === node.name.getText());
      if (!declaration) return;
      for (const tag of ts.getJSDocTags(node)) {
        const name = tag.tagName.getText();
        if (!tags.includes(name)) continue;
        const value = ts.getTextOfJSDocComment(tag.comment)?.trim() ?? '';
        if (name === 'dependency') (declaration.dependencies ??= []).push(value);
        else declaration[name] = value;
      }
    },
  };
}

/** Drops private members: the manifest documents the public API, and Storybook builds controls from it. */
function publicMembersPlugin() {
  return {
    name: 'mx-public-members',
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (declaration.members) declaration.members = declaration.members.filter((m) => m.privacy !== 'private');
        }
      }
    },
  };
}

export default {
  globs: ['components/**/*.ts'],
  exclude: ['components/**/*.styles.ts', 'components/**/*.test.ts', 'components/internal/**'],
  litelement: true,
  outdir: 'dist',
  plugins: [customTagsPlugin(), publicMembersPlugin()],
};
