// Build static/vendor/app.css from static/css/app.css: @imports bundled (bare names such as
// "open-props/sizes.min.css" come from node_modules), minified, prefixed for the browsers we
// support. Lightning CSS refuses what it cannot parse, so a broken rule fails `make install`;
// stylelint (`make lint`) catches what CSS itself forgives, such as a block left unclosed.
import { bundleAsync, browserslistToTargets } from "lightningcss";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const entry = join(root, "static", "css", "app.css");
const output = join(root, "static", "vendor", "app.css");

const { code, warnings } = await bundleAsync({
  filename: entry,
  minify: true,
  errorRecovery: false,
  // Two years of evergreen browsers: what a company's managed laptops and phones run.
  targets: { chrome: 111 << 16, firefox: 113 << 16, safari: (16 << 16) | (4 << 8) },
  resolver: {
    read: (path) => readFileSync(path, "utf8"),
    resolve(specifier, from) {
      if (specifier.startsWith(".") || specifier.startsWith("/")) return resolve(dirname(from), specifier);
      return require.resolve(specifier);
    },
  },
});
for (const warning of warnings) console.warn(`${warning.loc.filename}:${warning.loc.line}: ${warning.message}`);
if (warnings.length) process.exit(1);
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, code);
console.log(`static/vendor/app.css: ${code.length} bytes`);
