/**
 * The WeChat side of the preview, played by the server's emulator through its control API
 * (docs/api.md): it mints what WeChat's client would hand the app, for the preview's user.
 */
import { controlClient, MOUNTED_AT } from '../../../emulator/client'

/** The emulator the preview's server mounts, on the page's own origin. */
export const control = controlClient(MOUNTED_AT)
