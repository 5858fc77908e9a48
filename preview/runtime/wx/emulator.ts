/**
 * The WeChat side of the preview, played by the server's emulator through its control API
 * (docs/api.md): it mints what WeChat's client would hand the app, for the preview's user.
 */
const CONTROL = '/__wechat/control'

export async function control<T>(route: string, body: object): Promise<T> {
  const response = await fetch(`${CONTROL}/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) {
    throw new Error(
      `the emulator answered ${response.status} to ${route}: ${await response.text()}`,
    )
  }
  return (await response.json()) as T
}
