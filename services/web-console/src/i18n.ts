import { EN } from './copy/en.js'
import { NL } from './copy/nl.js'

export type Lang = 'nl' | 'en'
export type Messages = typeof NL

/** Dutch first; English for those who ask for it (a cookie set by the language switch). */
export const MESSAGES: Record<Lang, Messages> = { nl: NL, en: EN }

export const langOf = (cookie: string | undefined): Lang => (cookie === 'en' ? 'en' : 'nl')
