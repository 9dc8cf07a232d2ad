// The terminal dock in a real browser against browser mode: a local shell opened with "+", a
// command's output read off the xterm screen (kubectl reaching this cluster through the
// KUBECONFIG the shell got), the terminal following the window's size, copy and paste, Reconnect
// after the connection dropped, the exit status, and no shell left once its tab is closed.
import { dirname } from 'node:path';
import type { WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlBinary } from '../integration/harness/kubectl.ts';
import { NO_BROWSER, startUi, type UiHarness } from './harness/ui.ts';

describe.skipIf(NO_BROWSER)('terminals', () => {
  let ui: UiHarness;
  const sockets: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
  const path = process.env.PATH;

  beforeAll(async () => {
    // The local shell runs in this process's environment: a real kubectl on its PATH.
    process.env.PATH = `${dirname(kubectlBinary('1.35'))}:${path}`;
    ui = await startUi();
    // The page's bridge connection goes through here, so that the test can cut it.
    await ui.page.routeWebSocket(/\/kubelab\/ws/, (page) => sockets.push({ page, server: page.connectToServer() }));
    await ui.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(ui.server.uiUrl).origin });
    await ui.open('#/overview');
  }, 120_000);

  afterAll(async () => {
    process.env.PATH = path;
    await ui?.close();
  });

  const screen = () => ui.page.locator('.pane .xterm-rows');
  const screenText = async () => (await screen().innerText()).replace(/\u00a0/g, ' ');
  const until = async (pattern: RegExp) => {
    await expect.poll(screenText, { timeout: 20_000 }).toMatch(pattern);
    return pattern.exec(await screenText())!;
  };
  const type = async (line: string) => {
    await ui.page.locator('.pane .xterm').click();
    await ui.page.keyboard.type(line);
    await ui.page.keyboard.press('Enter');
  };

  it('opens a local shell from the dock and shows what a command prints, kubectl against this cluster included', async () => {
    await ui.page.getByRole('button', { name: 'New local terminal' }).click();
    await ui.page.locator('.pane[data-state=open]').waitFor({ timeout: 20_000 });
    await expect.poll(() => ui.page.getByRole('tab').allTextContents()).toEqual(['Local shell']);
    await type('clear; echo "answer=$((6*7))"; kubectl get namespace default -o name');
    await until(/answer=42\s+namespace\/default/);
    await type('kubectl get namespaces; ls --color=always -F /usr');
    await until(/kube-system\s+Active[^]*share/);
    await ui.screenshot('terminal');
  }, 60_000);

  it('follows its pane: stty size changes when the window is resized, the dock maximised or dragged taller', async () => {
    await type('echo "size=$(stty size)"');
    const [, rows, cols] = await until(/size=(\d+) (\d+)/);
    await ui.page.setViewportSize({ width: 1000, height: 700 });
    await type('clear; echo "now=$(stty size)"');
    const [, rows2, cols2] = await until(/now=(\d+) (\d+)/);
    expect(Number(cols2)).toBeLessThan(Number(cols));
    expect(Number(rows2)).toBeLessThanOrEqual(Number(rows));
    await ui.page.setViewportSize({ width: 1280, height: 800 });
    await type('clear; echo "back=$(stty size)"');
    expect((await until(/back=(\d+ \d+)/))[1]).toBe(`${rows} ${cols}`);
    // Maximised over the view: more rows, same columns; restored: as before.
    await ui.page.getByRole('button', { name: 'Maximise the terminals' }).click();
    await type('clear; echo "max=$(stty size)"');
    const [, rows3, cols3] = await until(/max=(\d+) (\d+)/);
    expect(Number(rows3)).toBeGreaterThan(Number(rows));
    expect(cols3).toBe(cols);
    await ui.page.getByRole('button', { name: 'Restore the terminals' }).click();
    // Dragging the dock's top edge up gives it more rows.
    const grip = ui.page.getByRole('separator', { name: 'Resize the terminals' });
    const box = (await grip.boundingBox())!;
    await ui.page.mouse.move(box.x + 300, box.y + 3);
    await ui.page.mouse.down();
    await ui.page.mouse.move(box.x + 300, box.y - 120, { steps: 5 });
    await ui.page.mouse.up();
    await type('clear; echo "dragged=$(stty size)"');
    const [, rows4] = await until(/dragged=(\d+) \d+/);
    expect(Number(rows4)).toBeGreaterThan(Number(rows));
  }, 60_000);

  it('copies the selection with Ctrl+Shift+C and pastes with Ctrl+Shift+V', async () => {
    await type('clear; echo "copy-$((20+3))-me"');
    await until(/copy-23-me/);
    // Select all from the context menu, then copy.
    await ui.page.locator('.pane .xterm').click({ button: 'right' });
    await ui.page.getByRole('menuitem', { name: 'Select all' }).click();
    await ui.page.keyboard.press('Control+Shift+C');
    await expect.poll(() => ui.page.evaluate(() => navigator.clipboard.readText())).toContain('copy-23-me');
    await ui.page.evaluate(() => navigator.clipboard.writeText('echo "pasted-$((40+2))"'));
    await ui.page.keyboard.press('Control+Shift+V');
    await ui.page.keyboard.press('Enter');
    await until(/pasted-42/);
  }, 60_000);

  it('says when the connection dropped, and Reconnect opens a new shell in the same tab', async () => {
    await type('clear; echo "first=$$"');
    const [, first] = await until(/first=(\d+)/);
    for (const s of sockets.splice(0)) {
      await s.server.close();
      await s.page.close();
    }
    const pane = ui.page.locator('.pane');
    await expect.poll(() => pane.getAttribute('data-state'), { timeout: 20_000 }).toBe('lost');
    await expect.poll(() => pane.getByRole('alert').textContent()).toContain('the connection to Kubelab was lost');
    await ui.page.locator('[role=status]', { hasText: 'Live' }).waitFor({ timeout: 20_000 });
    // The old shell went with the connection.
    await expect.poll(() => alive(Number(first)), { timeout: 10_000 }).toBe(false);
    await pane.getByRole('button', { name: 'Reconnect' }).click();
    await ui.page.locator('.pane[data-state=open]').waitFor({ timeout: 20_000 });
    await expect.poll(() => ui.page.getByRole('tab').count()).toBe(1);
    await type('clear; echo "second=$$"');
    const [, second] = await until(/second=(\d+)/);
    expect(second).not.toBe(first);
  }, 60_000);

  it('keeps each tab\'s screen and shell while switching between tabs', async () => {
    await type('clear; echo "tab-one=$((1+1))"');
    await until(/tab-one=2/);
    await ui.page.getByRole('button', { name: 'New local terminal' }).click();
    await expect.poll(() => ui.page.getByRole('tab').allTextContents()).toEqual(['Local shell', 'Local shell 2']);
    const second = ui.page.locator('.slot:not([hidden]) .pane[data-state=open]');
    await second.waitFor({ timeout: 20_000 });
    await ui.page.keyboard.type('echo "tab-two=$((2+2))"');
    await ui.page.keyboard.press('Enter');
    await expect.poll(() => second.locator('.xterm-rows').innerText()).toContain('tab-two=4');
    await ui.page.getByRole('tab', { name: 'Local shell', exact: true }).click();
    const first = ui.page.locator('.slot:not([hidden]) .pane');
    await expect.poll(() => first.locator('.xterm-rows').innerText()).toContain('tab-one=2');
    await ui.page.getByRole('button', { name: 'Close Local shell 2' }).click();
    await expect.poll(() => ui.page.getByRole('tab').allTextContents()).toEqual(['Local shell']);
  }, 60_000);

  it('shows the exit status when the shell exits, and leaves no shell behind when its tab closes', async () => {
    await type('exit 3');
    await expect.poll(() => ui.page.locator('.pane').textContent(), { timeout: 20_000 }).toContain('The shell exited with code 3');
    await ui.page.getByRole('button', { name: 'Start again' }).click();
    await ui.page.locator('.pane[data-state=open]').waitFor({ timeout: 20_000 });
    await type('clear; echo "third=$$"');
    const [, third] = await until(/third=(\d+)/);
    await ui.page.getByRole('button', { name: 'Close Local shell' }).click();
    await expect.poll(() => ui.page.locator('.pane').count()).toBe(0);
    await expect.poll(() => alive(Number(third)), { timeout: 10_000 }).toBe(false);
  }, 60_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
