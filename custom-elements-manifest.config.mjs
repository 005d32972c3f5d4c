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

/**
 * Drops the nameless events the analyzer adds for a `dispatchEvent(new MxSomeEvent(…))` whose class an `@fires`
 * tag already documents under its name. A nameless event no `@fires` covers stays, so the framework entries
 * (scripts/framework-entries.mjs) can refuse it and ask for the tag.
 */
function documentedEventsPlugin() {
  return {
    name: 'mx-documented-events',
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (!declaration.events) continue;
          const named = new Set(declaration.events.filter((e) => e.name).map((e) => e.type?.text));
          declaration.events = declaration.events.filter((e) => e.name || !named.has(e.type?.text));
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
  plugins: [customTagsPlugin(), publicMembersPlugin(), documentedEventsPlugin()],
};
