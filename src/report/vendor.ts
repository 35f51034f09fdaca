// The charting libraries the views use, as fixed files of pinned npm packages (package.json): the dashboard serves
// them from node_modules and the static report inlines them, so both work offline, with no CDN.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Name the page asks for → file inside the package. */
export const VENDOR_FILES: Readonly<Record<string, string>> = {
  'lightweight-charts.js': 'lightweight-charts/dist/lightweight-charts.standalone.production.js',
  'uplot.js': 'uplot/dist/uPlot.iife.min.js',
  'uplot.css': 'uplot/dist/uPlot.min.css',
};

/** Absolute path of a vendor file, or null for a name not in VENDOR_FILES. */
export function vendorPath(name: string): string | null {
  const rel = VENDOR_FILES[name];
  if (rel === undefined) return null;
  const [pkg, ...rest] = rel.split('/');
  // Resolved through package.json: the packages' "exports" do not list their dist files.
  return join(dirname(require.resolve(`${pkg}/package.json`)), ...rest);
}
