/**
 * Builds the npm package weapp-login (packages/weapp-login) from the app's own sources in
 * miniprogram/, never a copy of them:
 *
 * - miniprogram_dist/index.js: miniprogram/weapp-login.ts and what it imports, bundled by esbuild
 *   into one file whose module.exports are the entry's exports (a mini-program resolves
 *   `require('weapp-login')` to miniprogram_npm/weapp-login/index.js);
 * - miniprogram_dist/privacy-dialog/: the privacy dialog component, its script bundled the same
 *   way, its .json, .wxml and .wxss as written;
 * - types/: the declarations tsc emits for the entry, with nothing but miniprogram-api-typings in
 *   scope (no typings/, no json-schema-to-ts), so a type the package needs and does not carry fails
 *   the build.
 *
 * Every file that goes in must come from miniprogram/: the build fails on anything else (the
 * server's sources, a test's). `npm pack` and `npm publish` run it (prepack, through main.ts);
 * the tests and the bench build into folders of their own.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { build, type Plugin } from 'esbuild'
import ts from 'typescript'

const ROOT = path.resolve(__dirname, '../..')
const SOURCES = path.join(ROOT, 'miniprogram')
const PACKAGE_DIR = path.join(ROOT, 'packages/weapp-login')

const ENTRY = path.join(SOURCES, 'weapp-login.ts')
const DIALOG = path.join(SOURCES, 'components/privacy-dialog')
/** The folder DevTools' 构建npm copies (package.json's `miniprogram`). */
const DIST = 'miniprogram_dist'
/** The declarations (package.json's `types`), beside it: 构建npm leaves them out. */
const TYPES = 'types'
/**
 * ES2018, for a project whose DevTools does not compile JS to ES5 (将 JS 编译成 ES5 off): no ?.
 * nor ?? (ES2020), which older phones' JavaScript engines do not parse.
 */
export const TARGET = 'es2018'

export interface Built {
  /** Every source file the package was built from, relative to the repository. */
  inputs: string[]
  /** Every file written, relative to the package folder. */
  files: string[]
}

/** The files among `inputs` that do not come from miniprogram/ (a server's module, a test's). */
export function outsideSources(inputs: readonly string[]): string[] {
  const root = path.relative(ROOT, SOURCES) + '/'
  return inputs.filter((input) => !input.startsWith(root) || input.includes('/node_modules/'))
}

/**
 * The contract's schemas carry `description`s for the OpenAPI document the server writes from
 * them; the mini-program never reads one. The package's JavaScript leaves them out (its
 * declarations keep them), which spares every consumer their bytes.
 */
const contractWithoutDescriptions: Plugin = {
  name: 'contract-without-descriptions',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]miniprogram[\\/]contract[\\/][^\\/]+\.ts$/ }, (args) => {
      const source = ts.createSourceFile(
        args.path,
        fs.readFileSync(args.path, 'utf8'),
        ts.ScriptTarget.Latest,
        true,
      )
      const strip: ts.TransformerFactory<ts.SourceFile> = (context) => {
        const visit = (node: ts.Node): ts.Node => {
          const next = ts.isObjectLiteralExpression(node)
            ? context.factory.updateObjectLiteralExpression(
                node,
                node.properties.filter(
                  (property) =>
                    !(
                      ts.isPropertyAssignment(property) &&
                      ts.isIdentifier(property.name) &&
                      property.name.text === 'description'
                    ),
                ),
              )
            : node
          return ts.visitEachChild(next, visit, context)
        }
        return (file) => ts.visitEachChild(file, visit, context)
      }
      const [stripped] = ts.transform(source, [strip]).transformed
      return { contents: ts.createPrinter().printFile(stripped), loader: 'ts' }
    })
  },
}

/** The JavaScript: the entry and the dialog's script, each one file, with its inputs. */
async function bundle(outDir: string): Promise<string[]> {
  const bundles: { entryPoints: Record<string, string>; globalName?: string; footer?: string }[] = [
    // In a function of its own, its names are local: a minifier (DevTools' at upload) shortens
    // them all, where it leaves a CommonJS file's top-level names as they are.
    {
      entryPoints: { index: ENTRY },
      globalName: 'weappLogin',
      footer: 'module.exports = weappLogin;',
    },
    { entryPoints: { 'privacy-dialog/index': path.join(DIALOG, 'index.ts') } },
  ]
  const built = await Promise.all(
    bundles.map(({ entryPoints, globalName, footer }) =>
      build({
        absWorkingDir: ROOT,
        entryPoints,
        outdir: path.join(outDir, DIST),
        bundle: true,
        format: 'iife',
        globalName,
        footer: footer === undefined ? undefined : { js: footer },
        platform: 'neutral',
        target: TARGET,
        tsconfig: path.join(ROOT, 'tsconfig.json'),
        // Chinese stays Chinese, as DevTools keeps it: \u escapes would triple its size.
        charset: 'utf8',
        legalComments: 'none',
        plugins: [contractWithoutDescriptions],
        metafile: true,
        logLevel: 'silent',
      }),
    ),
  )
  return [...new Set(built.flatMap((result) => Object.keys(result.metafile.inputs)))]
}

/** The dialog's template, style and component JSON, as written. */
function copyDialogFiles(outDir: string): string[] {
  const target = path.join(outDir, DIST, 'privacy-dialog')
  const copied = fs.readdirSync(DIALOG).filter((name) => !name.endsWith('.ts'))
  for (const name of copied) fs.copyFileSync(path.join(DIALOG, name), path.join(target, name))
  return copied.map((name) => path.relative(ROOT, path.join(DIALOG, name)))
}

/** The declarations of the entry and of every module it reaches, with their inputs. */
function declarations(outDir: string): string[] {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT)
  const program = ts.createProgram([ENTRY], {
    ...options,
    // Only what a consumer has: the official typings. typings/ (IAppOption, the app's own
    // additions) stays out, so the package cannot lean on it.
    typeRoots: [path.join(ROOT, 'node_modules')],
    types: ['miniprogram-api-typings'],
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: SOURCES,
    outDir: path.join(outDir, TYPES),
  })
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics]
  if (diagnostics.length > 0) {
    const host = {
      getCanonicalFileName: (name: string) => name,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => '\n',
    }
    throw new Error(
      `the package's declarations do not compile on their own:\n` +
        ts.formatDiagnostics(diagnostics, host),
    )
  }
  // TypeScript's own libraries and WeChat's typings aside, which every consumer has.
  const official = path.join(ROOT, 'node_modules/miniprogram-api-typings') + path.sep
  return program
    .getSourceFiles()
    .filter((file) => !program.isSourceFileDefaultLibrary(file))
    .filter((file) => !path.resolve(file.fileName).startsWith(official))
    .map((file) => path.relative(ROOT, file.fileName))
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => fs.statSync(path.join(dir, file)).isFile())
    .sort()
}

/** Builds the package's files into `outDir` (the package folder unless told otherwise). */
export async function buildPackage(outDir = PACKAGE_DIR): Promise<Built> {
  for (const dir of [DIST, TYPES])
    fs.rmSync(path.join(outDir, dir), { recursive: true, force: true })
  const inputs = new Set([
    ...(await bundle(outDir)),
    ...copyDialogFiles(outDir),
    ...declarations(outDir),
  ])
  const sorted = [...inputs].sort()
  const outside = outsideSources(sorted)
  if (outside.length > 0) {
    const named = outside.slice(0, 5).join(', ')
    const more = outside.length > 5 ? ` and ${outside.length - 5} more` : ''
    throw new Error(`the package may only be built from miniprogram/, not from ${named}${more}`)
  }
  const files = [DIST, TYPES].flatMap((dir) =>
    filesUnder(path.join(outDir, dir)).map((file) => `${dir}/${file}`),
  )
  return { inputs: sorted, files }
}
