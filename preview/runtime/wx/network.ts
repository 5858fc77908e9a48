/**
 * wx.request and wx.uploadFile as real HTTP. The server that serves the preview stands in for
 * "this machine": a request to 127.0.0.1, localhost or [::1] goes to it whatever port the app's
 * develop build names, so the preview works on any PORT. The network switch in the panel makes
 * every exchange fail as it would on a phone without network.
 */
import { readSettings } from '../../shared/state'
import { readTempFile } from './files'
import { WxFailure, settle, type Callbacks, type Result } from './callbacks'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])
const OFFLINE = 'net::ERR_INTERNET_DISCONNECTED'

export function toServer(url: string): string {
  const parsed = new URL(url, location.href)
  if (!LOOPBACK.has(parsed.hostname)) return parsed.href
  return location.origin + parsed.pathname + parsed.search
}

export function offline(): boolean {
  return readSettings().offline
}

interface Task {
  abort(): void
  onHeadersReceived(): void
  offHeadersReceived(): void
  onProgressUpdate(): void
  offProgressUpdate(): void
}

function task(controller: AbortController): Task {
  const noop = () => undefined
  return {
    abort: () => controller.abort(new WxFailure('abort')),
    onHeadersReceived: noop,
    offHeadersReceived: noop,
    onProgressUpdate: noop,
    offProgressUpdate: noop,
  }
}

async function exchange(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  controller: AbortController,
): Promise<Response> {
  if (offline()) throw new WxFailure(OFFLINE)
  const timer = setTimeout(() => controller.abort(new WxFailure('timeout')), timeoutMs)
  try {
    return await fetch(toServer(url), { ...init, signal: controller.signal })
  } catch (error) {
    const reason = controller.signal.reason
    throw reason instanceof WxFailure ? reason : new WxFailure((error as Error).message)
  } finally {
    clearTimeout(timer)
  }
}

function headersOf(response: Response): Record<string, string> {
  const header: Record<string, string> = {}
  response.headers.forEach((value, key) => (header[key] = value))
  return header
}

function encodeForm(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')
}

interface RequestOptions extends Callbacks<Result<RequestSuccess>> {
  url: string
  method?: string
  header?: Record<string, string>
  data?: unknown
  timeout?: number
  dataType?: string
  responseType?: 'text' | 'arraybuffer'
}

interface RequestSuccess {
  data: unknown
  statusCode: number
  header: Record<string, string>
  cookies: string[]
}

export function createRequest(defaultTimeout: number) {
  return (options: RequestOptions): Task => {
    const controller = new AbortController()
    settle(
      'request',
      options,
      async () => {
        const method = (options.method ?? 'GET').toUpperCase()
        const header: Record<string, string> = {
          'content-type': 'application/json',
          ...options.header,
        }
        const contentType =
          Object.entries(header).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? ''
        let url = options.url
        let body: BodyInit | undefined
        const { data } = options
        if (data !== undefined && data !== null) {
          if (method === 'GET') {
            if (typeof data === 'object') {
              const query = encodeForm(data as Record<string, unknown>)
              if (query) url += (url.includes('?') ? '&' : '?') + query
            }
          } else if (typeof data === 'string' || data instanceof ArrayBuffer) {
            body = data
          } else if (contentType.includes('application/x-www-form-urlencoded')) {
            body = encodeForm(data as Record<string, unknown>)
          } else {
            body = JSON.stringify(data)
          }
        }
        const response = await exchange(
          url,
          { method, headers: header, body },
          options.timeout ?? defaultTimeout,
          controller,
        )
        let payload: unknown
        if (options.responseType === 'arraybuffer') payload = await response.arrayBuffer()
        else {
          const text = await response.text()
          payload = text
          if ((options.dataType ?? 'json') === 'json') {
            try {
              payload = JSON.parse(text)
            } catch {
              payload = text
            }
          }
        }
        return {
          data: payload,
          statusCode: response.status,
          header: headersOf(response),
          cookies: [],
        }
      },
      false,
    )
    return task(controller)
  }
}

interface UploadOptions extends Callbacks<Result<{ data: string; statusCode: number }>> {
  url: string
  filePath: string
  name: string
  header?: Record<string, string>
  formData?: Record<string, string>
  timeout?: number
}

export function createUploadFile(defaultTimeout: number) {
  return (options: UploadOptions): Task => {
    const controller = new AbortController()
    settle(
      'uploadFile',
      options,
      async () => {
        const form = new FormData()
        for (const [key, value] of Object.entries(options.formData ?? {})) form.append(key, value)
        const file = await readTempFile(options.filePath).catch(() => {
          throw new WxFailure(`file not found: ${options.filePath}`)
        })
        form.append(options.name, file.blob, file.name)
        // The browser writes the multipart boundary into content-type itself.
        const header = Object.fromEntries(
          Object.entries(options.header ?? {}).filter(([k]) => k.toLowerCase() !== 'content-type'),
        )
        const response = await exchange(
          options.url,
          { method: 'POST', headers: header, body: form },
          options.timeout ?? defaultTimeout,
          controller,
        )
        // wx.uploadFile hands the body over as text, whatever its type.
        return { data: await response.text(), statusCode: response.status }
      },
      false,
    )
    return task(controller)
  }
}
