/**
 * Builds the npm package weapp-login-kit (packages/weapp-login-kit): the WeChat API emulator and
 * the conformance kit as two commands a team runs with npx, without this repository.
 *
 * - bin/weapp-login-emulator.js: emulator/main.ts (`npm run emulator`), and
 *   bin/weapp-login-conformance.js: conformance/main.ts (`npm run conformance`), each bundled by
 *   esbuild into one file with everything it runs on — Fastify and its dependencies, at the
 *   versions of package-lock.json — so that the package has no dependencies to install: it
 *   installs offline, in a second, into any folder;
 * - docs/api.md: the contract, whose clauses every failure cites;
 * - THIRD-PARTY-NOTICES.md: the license of each package bundled;
 * - README.md: its blocks marked `<!-- kit:NAME -->` … `<!-- /kit:NAME -->` refreshed from the
 *   repository's READMEs, their one home (the kit's options, the SDK settings, the emulator's
 *   variables), so that the two never say different things.
 *
 * What goes in is the emulator, the kit and what they share with the server (common/, the contract
 * in miniprogram/contract/), and the runtime packages of package-lock.json: the build fails on
 * anything else (a module of server/, a test's file, a dev dependency). `npm pack` and
 * `npm publish` run it (prepack, through main.ts); the tests build into folders of their own.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { build, type Metafile, type Plugin } from 'esbuild'

const ROOT = path.resolve(__dirname, '../..')
const PACKAGE_DIR = path.join(ROOT, 'packages/weapp-login-kit')

/** Each command: its bin name (package.json's `bin`) and the source it is built from. */
export const COMMANDS = {
  'weapp-login-emulator': 'emulator/main.ts',
  'weapp-login-conformance': 'conformance/main.ts',
} as const

/** The folders of this repository the package may be built from. */
const SOURCES = ['emulator/', 'conformance/', 'common/', 'miniprogram/contract/']
const CONTRACT = 'docs/api.md'
const NOTICES = 'THIRD-PARTY-NOTICES.md'
/** Where the README's blocks come from. */
export const BLOCK_SOURCES = ['README.md', 'server/README.md']

/** A package of node_modules bundled into a command. */
export interface Bundled {
  name: string
  version: string
  license: string
  /** Where it is installed, relative to the repository: node_modules/… */
  dir: string
}

export interface BuiltKit {
  /** Every source file of this repository the commands were built from. */
  inputs: string[]
  /** Every package bundled, sorted by name and version. */
  bundled: Bundled[]
  /** Every file written, relative to the package folder. */
  files: string[]
}

/** The folder of the package a bundled file comes from: node_modules/ajv/node_modules/fast-uri. */
function packageDirOf(input: string): string {
  return /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? input
}

/**
 * The inputs that may not go into the package: anything outside the emulator, the kit, common/
 * and the contract (the server's modules, the mini-program's), anything in a test folder, and any
 * package that is not a runtime dependency (package-lock.json marks the others `dev`).
 */
export function outsideKitSources(inputs: readonly string[]): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>
  }
  return inputs.filter((input) => {
    if (input.includes('node_modules/')) {
      const locked = lock.packages[packageDirOf(input)]
      return !input.startsWith('node_modules/') || locked === undefined || locked.dev === true
    }
    const inTest = input.split('/').some((part) => part === 'test' || part === 'tests')
    return inTest || !SOURCES.some((root) => input.startsWith(root))
  })
}

/**
 * A package imported by this repository's modules counts as free of side effects, so a module
 * whose exports go unused is left out with its imports: the conformance command reaches the
 * emulator's door for its control client, not for Fastify.
 */
const packagesArePure: Plugin = {
  name: 'packages-are-pure',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.importer.includes('/node_modules/') || args.pluginData === 'pure') return undefined
      const {
        path: resolved,
        external,
        errors,
      } = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'pure',
      })
      return { path: resolved, external, errors, sideEffects: false }
    })
  },
}

/** One command: its entry and all it imports, one CommonJS file Node runs as it is. */
async function bundle(outDir: string, bin: string, entry: string): Promise<Metafile> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: path.join(outDir, 'bin', `${bin}.js`),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    tsconfig: path.join(ROOT, 'server/tsconfig.json'),
    banner: { js: '#!/usr/bin/env node' },
    // Whitespace and syntax only: names stay, so a stack trace a team sends still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    // The licenses are in THIRD-PARTY-NOTICES.md, in full.
    legalComments: 'none',
    plugins: [packagesArePure],
    metafile: true,
    logLevel: 'silent',
  })
  fs.chmodSync(path.join(outDir, 'bin', `${bin}.js`), 0o755)
  return result.metafile
}

function licenseText(dir: string): string | null {
  const file = fs
    .readdirSync(path.join(ROOT, dir))
    .find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name))
  return file ? fs.readFileSync(path.join(ROOT, dir, file), 'utf8').trim() : null
}

function bundledPackages(inputs: readonly string[]): Bundled[] {
  const dirs = [
    ...new Set(inputs.filter((input) => input.includes('node_modules/')).map(packageDirOf)),
  ]
  return dirs
    .map((dir) => {
      const manifest = JSON.parse(
        fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'),
      ) as {
        name: string
        version: string
        license?: string
      }
      return {
        name: manifest.name,
        version: manifest.version,
        license: manifest.license ?? 'none stated',
        dir,
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version))
}

function notices(bundled: readonly Bundled[]): string {
  const sections = bundled.map(({ name, version, license, dir }) => {
    const text =
      licenseText(dir) ?? `(The package has no license file; its package.json says ${license}.)`
    return `## ${name} ${version} (${license})\n\n\`\`\`text\n${text}\n\`\`\`\n`
  })
  return [
    '# Third-party notices\n',
    "weapp-login-kit's two commands are each one file, built with esbuild from the weapp-login",
    'repository and these packages, bundled at the versions named. Their licenses follow.\n',
    ...sections,
  ].join('\n')
}

const BLOCK = /<!-- kit:([a-z-]+) -->[\s\S]*?<!-- \/kit:\1 -->/g

/** The blocks `<!-- kit:NAME -->` … `<!-- /kit:NAME -->` of a text, by name. */
function blocksOf(text: string): Map<string, string> {
  return new Map([...text.matchAll(BLOCK)].map(([block, name = '']) => [name, block]))
}

/**
 * `readme` with each of its blocks replaced by the block of that name in `sources` (name → text):
 * a block no source has, or two have, is an error.
 */
export function withBlocks(readme: string, sources: ReadonlyMap<string, string>): string {
  const found = [...sources].map(([file, text]) => ({ file, blocks: blocksOf(text) }))
  return readme.replace(BLOCK, (_block, name: string) => {
    const holders = found.flatMap(({ file, blocks }) => {
      const block = blocks.get(name)
      return block === undefined ? [] : [{ file, block }]
    })
    const [holder] = holders
    if (!holder || holders.length > 1) {
      const where = holders.map(({ file }) => file).join(' and ') || 'none of them'
      throw new Error(
        `the block kit:${name} must be in one of ${[...sources.keys()].join(', ')}: in ${where}`,
      )
    }
    return holder.block
  })
}

/** The repository's READMEs the package README takes its blocks from. */
export function blockSources(): Map<string, string> {
  return new Map(
    BLOCK_SOURCES.map((file) => [file, fs.readFileSync(path.join(ROOT, file), 'utf8')]),
  )
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => fs.statSync(path.join(dir, file)).isFile())
    .sort()
}

/** Builds the package's files into `outDir` (the package folder unless told otherwise). */
export async function buildKit(outDir = PACKAGE_DIR): Promise<BuiltKit> {
  for (const generated of ['bin', 'docs', NOTICES]) {
    fs.rmSync(path.join(outDir, generated), { recursive: true, force: true })
  }
  const metafiles = await Promise.all(
    Object.entries(COMMANDS).map(([bin, entry]) => bundle(outDir, bin, entry)),
  )
  const all = [...new Set(metafiles.flatMap((metafile) => Object.keys(metafile.inputs)))].sort()
  const outside = outsideKitSources(all)
  if (outside.length > 0) {
    const named = outside.slice(0, 5).join(', ')
    const more = outside.length > 5 ? ` and ${outside.length - 5} more` : ''
    throw new Error(
      `the kit may only be built from ${SOURCES.join(', ')} and runtime packages, not from ${named}${more}`,
    )
  }
  const bundled = bundledPackages(all)
  fs.mkdirSync(path.join(outDir, 'docs'))
  fs.copyFileSync(path.join(ROOT, CONTRACT), path.join(outDir, CONTRACT))
  fs.writeFileSync(path.join(outDir, NOTICES), notices(bundled))
  const readme = withBlocks(
    fs.readFileSync(path.join(PACKAGE_DIR, 'README.md'), 'utf8'),
    blockSources(),
  )
  fs.writeFileSync(path.join(outDir, 'README.md'), readme)
  return {
    inputs: all.filter((input) => !input.includes('node_modules/')),
    bundled,
    files: [
      ...filesUnder(path.join(outDir, 'bin')).map((file) => `bin/${file}`),
      CONTRACT,
      NOTICES,
      'README.md',
    ].sort(),
  }
}
