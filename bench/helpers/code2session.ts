/**
 * The references' one call to WeChat's stand-in: a keep-alive GET to UPSTREAM_URL, the bare
 * upstream, or the emulator itself with its UPSTREAM_APPID and UPSTREAM_SECRET.
 */
import * as http from 'node:http'

const upstream = new URL(process.env.UPSTREAM_URL ?? '')
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
const appid = process.env.UPSTREAM_APPID ?? 'wx0'
const secret = process.env.UPSTREAM_SECRET ?? 's'

export function code2Session(code: string): Promise<{ openid: string; session_key: string }> {
  const query = new URLSearchParams({
    appid,
    secret,
    js_code: code,
    grant_type: 'authorization_code',
  })
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: upstream.hostname, port: upstream.port, path: `/sns/jscode2session?${query}`, agent },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () => {
          try {
            resolve(JSON.parse(text))
          } catch (error) {
            reject(error)
          }
        })
      },
    )
    request.on('error', reject)
    request.end()
  })
}
