/**
 * `npm run browser:smoke`: launches the Chromium that `resolveChromium()` picks through Playwright, renders text, and
 * fails unless glyphs reach the screen (a browser without fonts lays text out but paints nothing).
 * Prints the source, version, resolve/launch times and how many pixels the text painted.
 * `TSG_BROWSER=bundled npm run browser:smoke` checks the npm-provided browser.
 */
import { chromium } from "playwright";
import { chromiumLaunchOptions, resolveChromium } from "./chromium";

const t0 = performance.now();
const resolved = await resolveChromium();
const resolveMs = performance.now() - t0;

const t1 = performance.now();
const browser = await chromium.launch(await chromiumLaunchOptions());
const launchMs = performance.now() - t1;

try {
  const page = await browser.newPage({ viewport: { width: 480, height: 160 } });
  await page.setContent(
    `<body style="margin:0;background:#fff">
       <p id="t" style="margin:8px;font:24px sans-serif;color:#000">Sync healthy: 42 entities</p>
       <p id="m" style="margin:8px;font:16px monospace;color:#000">0x1f 0x2e</p>
     </body>`,
  );
  const layout = await page.evaluate(() => {
    const t = document.getElementById("t")!.getBoundingClientRect();
    return { width: Math.round(t.width), height: Math.round(t.height) };
  });
  // The page's own pixels, as the compositor painted them: decode the screenshot in the page.
  const png = (await page.screenshot({ clip: { x: 0, y: 0, width: 480, height: 60 } })).toString("base64");
  const inkPixels = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext("2d")!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 128 && data[i + 1]! < 128 && data[i + 2]! < 128) dark++;
    return dark;
  }, png);
  const fonts = await page.evaluate(() => {
    const c = document.createElement("canvas").getContext("2d")!;
    c.font = "24px sans-serif";
    return Math.round(c.measureText("Sync healthy").width);
  });

  const report = {
    source: resolved.source,
    version: resolved.version,
    executablePath: resolved.executablePath,
    resolveMs: Math.round(resolveMs),
    launchMs: Math.round(launchMs),
    textBox: layout,
    measuredTextWidth: fonts,
    inkPixels,
  };
  console.log(JSON.stringify(report, null, 2));
  // "Sync healthy: 42 entities" at 24px: a few thousand dark pixels when glyphs are painted, none when they are not.
  if (inkPixels < 300) {
    console.error(`[browser:smoke] FAIL: the text painted ${inkPixels} dark pixels; the browser has no usable font`);
    process.exitCode = 1;
  } else {
    console.log(`[browser:smoke] ok: ${resolved.source} Chromium renders text`);
  }
} finally {
  await browser.close();
}
