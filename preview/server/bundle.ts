/**
 * TypeScript to the browser with esbuild: the preview's runtime with the mini-program's own
 * app.ts, pages and components (unchanged, each evaluated when the runtime registers it), and
 * the panel around the phone.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { build, type Plugin } from 'esbuild'
import { scriptOf, type MiniProgram } from './miniprogram'

const PREVIEW_DIR = path.resolve(__dirname, '..')
const APP_MODULE = 'preview:app'

/**
 * j-component hard-codes options WeChat's own runtime sets otherwise: ids and the built-ins'
 * property values written to the DOM (so a page's `#phone-btn` is an element id and
 * `wx-button[type=primary]` can be styled; a component registered with reflectToAttributes false
 * keeps them off its host), and rpx in style attributes through WeChat's rpx hook rather than
 * 1rpx = 1px.
 */
const J_COMPONENT_PATCHES: Record<string, Array<[string, string]>> = {
  'src/componentmanager.js': [
    ['reflectToAttributes: false,', 'reflectToAttributes: options.reflectToAttributes !== false,'],
    ['writeIdToDOM: false,', 'writeIdToDOM: true,'],
  ],
  'src/tool/utils.js': [
    [
      "return style.replace(/(\\d+)rpx/ig, '$1px')",
      "return style.replace(/(-?\\d+(?:\\.\\d+)?)rpx/ig, (_, n) => globalThis.__transformRpx__(Number(n)) + 'px')",
    ],
  ],
}

const jComponentDir = path.dirname(require.resolve('j-component/package.json'))

function jComponentPatch(): Plugin {
  return {
    name: 'j-component-patch',
    setup(b) {
      b.onLoad({ filter: /[\\/]j-component[\\/]src[\\/].*\.js$/ }, (args) => {
        const relative = path.relative(jComponentDir, args.path).split(path.sep).join('/')
        const patches = J_COMPONENT_PATCHES[relative]
        if (!patches) return undefined
        let source = fs.readFileSync(args.path, 'utf8')
        for (const [from, to] of patches) {
          // A j-component upgrade that moved the code must fail the build, not the preview.
          if (source.split(from).length !== 2) {
            throw new Error(`j-component ${relative} changed: cannot find "${from}"`)
          }
          source = source.replace(from, () => to)
        }
        return { contents: source, loader: 'js' }
      })
    },
  }
}

/** The mini-program as the runtime loads it: app.json, each module's JSON and a loader. */
function appModule(mp: MiniProgram): Plugin {
  const lines = [
    `export const appJson = ${JSON.stringify(mp.appJson)}`,
    `export const appid = ${JSON.stringify(mp.appid)}`,
    `export const theme = ${JSON.stringify(mp.theme)}`,
    `export const appStyles = ${JSON.stringify(mp.appStyles.map((s) => s.path))}`,
    `export const loadApp = () => require(${JSON.stringify(scriptOf(path.join(mp.root, 'app')))})`,
    'export const modules = [',
    ...mp.modules.map((m) => {
      const { path: modulePath, isPage, json, using, hasWxss } = m
      const fields = JSON.stringify({ path: modulePath, isPage, json, using, hasWxss }).slice(1, -1)
      return `  { ${fields}, load: () => require(${JSON.stringify(scriptOf(m.source))}) },`
    }),
    ']',
  ]
  return {
    name: 'mini-program',
    setup(b) {
      b.onResolve({ filter: /^preview:app$/ }, () => ({ path: APP_MODULE, namespace: 'preview' }))
      b.onLoad({ filter: /.*/, namespace: 'preview' }, () => ({
        contents: lines.join('\n'),
        resolveDir: mp.root,
        loader: 'js',
      }))
    },
  }
}

export interface Bundles {
  runtime: string
  panel: string
}

export async function bundle(mp: MiniProgram): Promise<Bundles> {
  const result = await build({
    entryPoints: {
      runtime: path.join(PREVIEW_DIR, 'runtime', 'main.ts'),
      panel: path.join(PREVIEW_DIR, 'shell', 'panel.ts'),
    },
    outdir: '/',
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    sourcemap: 'inline',
    // j-component writes its built-in behaviors to Node's `global`.
    define: { global: 'globalThis' },
    tsconfig: path.join(PREVIEW_DIR, 'tsconfig.json'),
    logLevel: 'silent',
    plugins: [jComponentPatch(), appModule(mp)],
  })
  const text = (name: string) => {
    const file = result.outputFiles.find((f) => path.basename(f.path) === `${name}.js`)
    if (!file) throw new Error(`esbuild wrote no ${name}.js`)
    return file.text
  }
  return { runtime: text('runtime'), panel: text('panel') }
}
