/**
 * Everything a page subscribes to while it is open (the session, the privacy dialog) is let go
 * when it closes: a closed page must not be rendered into, nor keep a privacy question open.
 */
import { behaviorWithFields } from './define'

export const subscriptions = behaviorWithFields<{ cleanups: Array<() => void> }>()({
  lifetimes: {
    created() {
      this.cleanups = []
    },
    detached() {
      this.cleanups.splice(0).forEach((cleanup) => cleanup())
    },
  },
  methods: {
    /** `cleanup` runs when the page closes (an unsubscribe, a detach). */
    untilDetached(cleanup: () => void) {
      this.cleanups.push(cleanup)
    },
  },
})
