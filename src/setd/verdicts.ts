/** The SETD verdicts: four threats and three non-threat categories. */
export const VERDICTS = ['BEC', 'Scam', 'Phishing', 'Malicious', 'Spam', 'Graymail', 'Neutral'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * Deterministic verdicts, so that a lab can plan which message gets which: the first rule whose
 * words appear in the subject or body wins; Neutral when none does. Documented in docs/commands.md.
 */
export const VERDICT_RULES: { verdict: Verdict; words: RegExp }[] = [
  { verdict: 'Malicious', words: /\b(malware|ransomware|invoice\.exe|macro-enabled|EICAR)\b/i },
  { verdict: 'Phishing', words: /\b(verify your account|reset your password|confirm your credentials|account suspended)\b/i },
  { verdict: 'BEC', words: /\b(wire transfer|gift cards?|urgent payment|change of bank details)\b/i },
  { verdict: 'Scam', words: /\b(lottery|inheritance|you have won|crypto ?investment)\b/i },
  { verdict: 'Spam', words: /\b(limited time offer|buy now|cheap meds|GTUBE)\b/i },
  { verdict: 'Graymail', words: /\b(newsletter|unsubscribe|webinar)\b/i },
];

/** A lab may force a verdict with this header on the original (a verdict name, any case). */
export const VERDICT_HEADER = 'X-Segsim-Verdict';

export function verdictFor(subject: string, text: string, forced?: string): Verdict {
  const named = VERDICTS.find((v) => v.toLowerCase() === forced?.trim().toLowerCase());
  if (named) return named;
  const haystack = `${subject}\n${text}`;
  return VERDICT_RULES.find((r) => r.words.test(haystack))?.verdict ?? 'Neutral';
}
