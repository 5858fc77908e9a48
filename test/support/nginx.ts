/**
 * nginx (Debian's package, installed by .ci/services.sh) in front of a suite's instances, with
 * the documented example configuration (server/deploy/nginx.conf): only the instances' addresses
 * and a plain-HTTP listen on a free port of 127.0.0.1 replace the example's.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { until } from './until'

export const NGINX = '/usr/sbin/nginx'
export const nginxMissing = fs.existsSync(NGINX)
  ? null
  : `${NGINX} is not installed (apt-get install nginx; .ci/services.sh up installs it)`

export const EXAMPLE_CONFIG = path.resolve(__dirname, '../../server/deploy/nginx.conf')

/** `example` with these upstream servers (the example's parameters kept) and this plain listen. */
export function exampleFor(example: string, upstreams: readonly string[], listen: string): string {
  const servers = [...example.matchAll(/^( *)server \S+:\d+ (.*);$/gm)]
  if (servers.length === 0) throw new Error('the example lists no upstream server')
  const [first] = servers
  const [, indent = '', parameters = ''] = first ?? []
  const replaced = example
    .replace(
      servers.map(([line]) => line).join('\n'),
      upstreams.map((address) => `${indent}server ${address} ${parameters};`).join('\n'),
    )
    .replace(/^( *)listen 443 ssl http2;$/m, `$1listen ${listen};`)
    .replace(/^ *ssl_.*\n/gm, '')
  if (!replaced.includes(`listen ${listen};`) || /ssl/.test(replaced.replace(/#.*$/gm, ''))) {
    throw new Error('the example does not have the shape this support expects')
  }
  return replaced
}

export interface Nginx {
  url: string
  errorLog(): string
  stop(): Promise<void>
}

/** nginx, in the foreground, its files in `dir`, serving `http` (what goes in http {}). */
export async function startNginx(dir: string, http: string, port: number): Promise<Nginx> {
  for (const sub of ['body', 'proxy']) fs.mkdirSync(path.join(dir, sub), { recursive: true })
  const log = path.join(dir, 'error.log')
  fs.writeFileSync(path.join(dir, 'site.conf'), http)
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${log} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${path.join(dir, 'body')};`,
      `  proxy_temp_path ${path.join(dir, 'proxy')};`,
      `  include ${path.join(dir, 'site.conf')};`,
      '}',
      '',
    ].join('\n'),
  )
  // As root, nginx's workers run as nobody: they read nothing here but what the master opened.
  fs.chmodSync(dir, 0o755)
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
    stdio: 'ignore',
  })
  const url = `http://127.0.0.1:${port}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await until('nginx to answer', async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${fs.readFileSync(log, 'utf8')}`)
    return fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    )
  })
  return {
    url,
    errorLog: () => fs.readFileSync(log, 'utf8'),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGQUIT')
      await exited
    },
  }
}
