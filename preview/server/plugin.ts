/**
 * The browser preview as a Fastify plugin, for development only: the server (src/preview.ts)
 * imports this file only when the emulator is on and NODE_ENV is not production, so a production
 * server never loads the preview or its build tools.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { FastifyReply } from 'fastify'
import type { PreviewModule } from '../../server/src'
import { PreviewBuilder } from './build'
import { weuiForBuiltins, weuiWidgets } from './weui'

export const PREVIEW_PATH: PreviewModule['PREVIEW_PATH'] = '/preview/'

const PREVIEW_DIR = path.resolve(__dirname, '..')
const PROJECT_ROOT = path.resolve(PREVIEW_DIR, '..')
const STATIC_DIR = path.join(PREVIEW_DIR, 'static')
const FONT_DIR = path.dirname(require.resolve('@fontsource/noto-sans-sc/package.json'))
/** The weights the pages and weui use: regular, medium (weui's buttons) and bold. */
const FONT_CSS = ['400.css', '500.css', '700.css']
const FONT_FILE = /^noto-sans-sc-[a-z0-9-]+-(400|500|700)-normal\.woff2?$/

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
}

function staticFile(name: string): string {
  return fs.readFileSync(path.join(STATIC_DIR, name), 'utf8')
}

function send(reply: FastifyReply, name: string, body: string | Buffer, cache = 'no-store') {
  return reply
    .type(TYPES[path.extname(name)] ?? 'application/octet-stream')
    .header('cache-control', cache)
    .send(body)
}

/** A build error shown where the developer looks: in the phone, and in the console. */
function buildErrorScript(error: unknown): string {
  const message = JSON.stringify(`preview build failed:\n${(error as Error).message ?? error}`)
  return `console.error(${message});document.addEventListener('DOMContentLoaded',()=>{const p=document.createElement('pre');p.className='build-error';p.textContent=${message};document.body.prepend(p)});`
}

export const previewPlugin: PreviewModule['previewPlugin'] = async (app) => {
  const builder = new PreviewBuilder(PROJECT_ROOT)
  // weui does not change while the server runs.
  let builtinsCss: string | null = null
  let nativeCss: string | null = null

  app.get(PREVIEW_PATH.slice(0, -1), async (_, reply) => reply.redirect(PREVIEW_PATH))
  app.get(PREVIEW_PATH, async (_, reply) => send(reply, 'index.html', staticFile('index.html')))
  app.get(`${PREVIEW_PATH}phone.html`, async (_, reply) =>
    send(reply, 'phone.html', staticFile('phone.html')),
  )
  app.get(`${PREVIEW_PATH}shell.css`, async (_, reply) =>
    send(reply, 'shell.css', staticFile('shell.css')),
  )
  app.get(`${PREVIEW_PATH}builtins.css`, async (_, reply) => {
    builtinsCss ??= `${weuiForBuiltins()}\n${staticFile('builtins.css')}`
    return send(reply, 'builtins.css', builtinsCss)
  })
  app.get(`${PREVIEW_PATH}native.css`, async (_, reply) => {
    nativeCss ??= `${weuiWidgets()}\n${staticFile('native.css')}`
    return send(reply, 'native.css', nativeCss)
  })

  for (const name of ['runtime.js', 'panel.js', 'wxml.js', 'wxss.js']) {
    app.get(`${PREVIEW_PATH}${name}`, async (request, reply) => {
      try {
        return send(reply, name, (await builder.current()).files[name])
      } catch (error) {
        request.log.error({ err: error }, 'preview build failed')
        return send(reply, name, name === 'runtime.js' ? buildErrorScript(error) : '')
      }
    })
  }

  app.get(`${PREVIEW_PATH}fonts.css`, async (_, reply) => {
    const css = FONT_CSS.map((file) => fs.readFileSync(path.join(FONT_DIR, file), 'utf8'))
    return send(reply, 'fonts.css', css.join('\n').replaceAll('url(./files/', 'url(fonts/'))
  })
  app.get<{ Params: { file: string } }>(`${PREVIEW_PATH}fonts/:file`, async (request, reply) => {
    const { file } = request.params
    if (!FONT_FILE.test(file)) return reply.callNotFound()
    const bytes = await fs.promises.readFile(path.join(FONT_DIR, 'files', file))
    return send(reply, file, bytes, 'public, max-age=31536000, immutable')
  })
}
