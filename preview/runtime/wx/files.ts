/**
 * Temporary files, as the platform hands them out (a chosen avatar): a path the app can show in
 * <image> and pass to wx.uploadFile. Here the path is a blob: URL of the picked file.
 */
const files = new Map<string, File>()

export function saveTempFile(file: File): string {
  const path = URL.createObjectURL(file)
  files.set(path, file)
  return path
}

export async function readTempFile(path: string): Promise<{ blob: Blob; name: string }> {
  const known = files.get(path)
  if (known) return { blob: known, name: known.name }
  const response = await fetch(path)
  if (!response.ok) throw new Error(`no such file ${path}`)
  return { blob: await response.blob(), name: path.split('/').pop() || 'file' }
}
