// Charts rendered in Node without a browser: Vega-Lite -> Vega -> headless View -> SVG, and SVG ->
// PNG with resvg (a prebuilt native binary shipped on npm). Text is DejaVu Sans from the system's
// font folder; no file or network is ever loaded by a spec (the loader refuses).
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export const DEJAVU_DIR = '/usr/share/fonts/truetype/dejavu';
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => `${DEJAVU_DIR}/${f}`);

/** A loader that refuses every load (report specs carry their data inline) and remembers what was asked. */
function refusingLoader(refused: string[]): vega.Loader {
  const base = vega.loader();
  const refuse = (uri: string): Promise<never> => {
    refused.push(String(uri));
    return Promise.reject(new Error(`es2scope report: refusing to load "${uri}" (specs carry inline data only)`));
  };
  return { ...base, load: refuse, sanitize: refuse, http: refuse, file: refuse } as unknown as vega.Loader;
}

export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const vgSpec = compile(spec).spec;
  const refused: string[] = [];
  // vega only logs a failed load and draws an empty chart: fail loudly instead
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader: refusingLoader(refused), logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    if (refused.length) throw new Error(`es2scope report: refusing to load "${refused[0]}" (specs carry inline data only)`);
    return svg;
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** Scale factor for the PNG (2 = crisp on high-DPI screens). */
  scale?: number;
}

export function svgToPng(svg: string, opts: PngOptions = {}): Buffer {
  const fontFiles = FONT_FILES.filter((f) => existsSync(f));
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    font: {
      fontFiles,
      // without DejaVu (other machines) fall back to whatever the system has
      loadSystemFonts: fontFiles.length === 0,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return resvg.render().asPng();
}
