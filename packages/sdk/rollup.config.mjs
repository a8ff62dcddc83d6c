import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const plugins = (debug) => [
  replace({ preventAssignment: true, values: { __DEBUG__: String(debug) } }),
  nodeResolve({ extensions: ['.ts', '.js'] }),
  // Types are checked by `tsc` (typecheck, declarations); here TypeScript only strips them.
  typescript({
    tsconfig: false,
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      skipLibCheck: true,
    },
    include: ['src/**/*.ts', '../shared/src/**/*.ts'],
    exclude: ['**/*.test.ts'],
    noForceEmit: false,
  }),
];

// Aggressive but safe: top-level names are private to the IIFE, so they can be mangled too, and
// so can properties named with a leading underscore (private state; the sources keep readable
// names). No `booleans_as_integers`: it turns `value === true` into `value == 1`.
export const terserOptions = {
  ecma: 2020,
  toplevel: true,
  compress: {
    passes: 3,
    pure_getters: true,
    unsafe: true,
    unsafe_arrows: true,
    unsafe_methods: true,
  },
  mangle: { toplevel: true, properties: { regex: /^_/ } },
  format: { comments: false },
};
const minify = terser(terserOptions);

const tag = (file, debug) => ({
  input: 'src/iife.ts',
  output: { file, format: 'iife', strict: false, plugins: [minify] },
  plugins: plugins(debug),
});

export default [
  tag('dist/lasttouch.js', false),
  // Same tag with debug output compiled in: `data-debug` then logs to the console.
  tag('dist/lasttouch.debug.js', true),
  {
    input: 'src/index.ts',
    output: { file: 'dist/index.mjs', format: 'es' },
    plugins: plugins(true),
  },
];
