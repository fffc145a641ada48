import { createRequire } from 'node:module';
import { CodedError, ErrorCode } from '../lib/errors.js';

/**
 * The chart font ships with the app as an npm dependency (Inter, SIL Open Font License), so text
 * renders the same on a laptop, in CI and in the slim Docker image, none of which is asked for
 * system fonts. resvg reads TTF/OTF, which this package carries.
 */

export const CHART_FONT_FAMILY = 'Inter';
const FONT_PACKAGE = '@expo-google-fonts/inter';
const FILES = ['400Regular/Inter_400Regular.ttf', '600SemiBold/Inter_600SemiBold.ttf'];

export class ChartFontMissingError extends CodedError {
  readonly code = ErrorCode.ChartFontMissing;
}

let resolved: string[] | undefined;

/** Absolute paths of the regular and semibold faces, resolved once. */
export function chartFontFiles(): string[] {
  if (resolved) return resolved;
  const require = createRequire(import.meta.url);
  try {
    resolved = FILES.map((file) => require.resolve(`${FONT_PACKAGE}/${file}`));
  } catch (error) {
    throw new ChartFontMissingError(
      `The chart font package ${FONT_PACKAGE} is not installed; run npm ci (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return resolved;
}
