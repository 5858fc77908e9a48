/** One HTTP call to a WeChat API base (the emulator's), as any client would make it. */
export interface WechatCall {
  query?: Record<string, string>
  /** Sent as JSON with its content type. */
  json?: unknown
  /** Sent as is, with the headers given. */
  body?: string
  headers?: Record<string, string>
}

export interface WechatReply {
  status: number
  contentType: string | null
  body: Record<string, unknown>
}

export async function wechatCall(
  base: string,
  method: string,
  path: string,
  call: WechatCall = {},
): Promise<WechatReply> {
  const query = call.query ? `?${new URLSearchParams(call.query)}` : ''
  const headers: Record<string, string> = { ...call.headers }
  let body = call.body
  if (call.json !== undefined) {
    headers['content-type'] ??= 'application/json'
    body = JSON.stringify(call.json)
  }
  const response = await fetch(base + path + query, { method, headers, body })
  const text = await response.text()
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: JSON.parse(text) as Record<string, unknown>,
  }
}
