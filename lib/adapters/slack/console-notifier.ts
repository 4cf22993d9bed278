import type { Notifier, SlackMessage } from '../../ports.js';

/**
 * Prints alerts to the terminal: what a local user sees when no Slack webhook is configured. Block Kit is
 * rendered as plain text, Slack's escapes are undone and control characters dropped, so lead-supplied
 * text cannot drive the terminal.
 */
export function createConsoleNotifier(write: (s: string) => void = (s) => process.stdout.write(s)): Notifier {
  return {
    async post(message: SlackMessage): Promise<void> {
      write(renderPlainText(message));
    },
  };
}

export function renderPlainText(message: SlackMessage): string {
  const lines: string[] = [];
  for (const block of message.blocks) lines.push(...renderBlock(block));
  if (lines.length === 0) lines.push(plain(message.text));
  const rule = '─'.repeat(60);
  return `${rule}\n${lines.join('\n')}\n${rule}\n`;
}

function renderBlock(block: unknown): string[] {
  if (typeof block !== 'object' || block === null) return [];
  const b = block as { type?: unknown; text?: unknown; fields?: unknown; elements?: unknown };
  switch (b.type) {
    case 'header': {
      const title = plain(textOf(b.text));
      return [title, '═'.repeat(Math.min(60, title.length))];
    }
    case 'section': {
      const out: string[] = [];
      if (b.text) out.push(plain(textOf(b.text)));
      // A field is "*Label*\nvalue": one line reads better as "Label: value".
      if (Array.isArray(b.fields))
        out.push(...b.fields.map((f) => plain(textOf(f).replace(/^\*([^*\n]+)\*\n/, '$1: '))));
      return out;
    }
    case 'context':
      return Array.isArray(b.elements) ? [b.elements.map((e) => plain(textOf(e))).join(' · ')] : [];
    case 'divider':
      return [''];
    default:
      return [];
  }
}

function textOf(obj: unknown): string {
  if (typeof obj === 'string') return obj;
  if (typeof obj === 'object' && obj !== null && typeof (obj as { text?: unknown }).text === 'string') {
    return (obj as { text: string }).text;
  }
  return '';
}

/** mrkdwn → plain: bold markers go, entities are decoded, control characters are dropped. */
function plain(text: string): string {
  return (
    text
      .replace(/\*([^*\n]+)\*/g, '$1')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '')
  );
}
