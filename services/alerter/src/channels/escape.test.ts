import { describe, expect, it } from "vitest";
import type { Notification } from "../notification.ts";
import { discordMessage, DISCORD_LIMITS } from "./discord.ts";
import { clip, escapeDiscord, escapeHtml, escapeSlack, escapeWithin, plainLine } from "./escape.ts";
import { slackMessage, SLACK_LIMITS } from "./slack.ts";

describe("channel escaping", () => {
  it.each([
    ["<!channel> <!here> <@U123>", "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt;"],
    ["<https://evil.example|Re-authenticate>", "&lt;https://evil.example|Re-authenticate&gt;"],
    ["already &lt;escaped&gt;", "already &amp;lt;escaped&amp;gt;"],
  ])("Slack: %j becomes %j", (text, escaped) => expect(escapeSlack(text)).toBe(escaped));

  it.each([
    ["[click](http://evil)", String.raw`\[click\]\(http\://evil\)`],
    ["@everyone @here <@123>", String.raw`\@everyone \@here \<\@123\>`],
    ["```js\nfetch()```", String.raw`\`\`\`js fetch\(\)\`\`\``],
    // A backslash of the attacker's is escaped too, so it cannot cancel ours.
    [String.raw`\[x](y)`, String.raw`\\\[x\]\(y\)`],
    [
      "# heading ||spoiler|| > quote -# small ~~struck~~ *b* _i_",
      String.raw`\# heading \|\|spoiler\|\| \> quote \-\# small \~\~struck\~\~ \*b\* \_i\_`,
    ],
  ])("Discord: %j becomes %j", (text, escaped) => expect(escapeDiscord(text)).toBe(escaped));

  it("HTML-escapes for email", () =>
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;"));

  it("flattens line breaks, control characters and bidi overrides, which could fake a line or reverse a path", () => {
    expect(plainLine("a\r\nb\tc\u2028d\u202egnp.exe\u0000")).toBe("a  b c d gnp.exe ");
  });

  it("cuts with an ellipsis, never inside a surrogate pair or an escape sequence", () => {
    expect(clip("abcdef", 6)).toBe("abcdef");
    expect(clip("abcdefg", 6)).toBe("abcde…");
    expect(clip("a😀b", 3)).toBe("a…");
    expect(escapeWithin("<<<<<<", 10, escapeSlack)).toBe("&lt;&lt;…");
    expect(escapeWithin("******", 6, escapeDiscord)).toBe(String.raw`\*\*…`);
  });
});

describe("Slack's and Discord's length limits, counted after escaping", () => {
  const huge: Notification = {
    id: "n1",
    title: "t",
    text: "<".repeat(10_000),
    facts: [{ label: "File", value: "*".repeat(10_000) }],
    severity: "high",
    link: `https://github.com/${"a".repeat(3_000)}`,
  };

  it("keeps Slack's section text to 3000 and a field to 2000 characters, and drops a button URL over 3000", () => {
    const message = slackMessage(huge) as {
      text: string;
      blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
    };
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    expect(message.text.endsWith("&lt;…")).toBe(true);
    expect(message.blocks[2]?.fields?.[0]?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
    expect(message.blocks.map((block) => block.type)).toEqual(["header", "section", "section"]);
  });

  it("keeps Discord's description to 4096 and a field value to 1024 characters", () => {
    const embed = discordMessage(huge).embeds[0] as { description: string; fields: { value: string }[] };
    expect(embed.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed.description.endsWith(String.raw`\<…`)).toBe(true);
    expect(embed.fields[0]?.value).toBe(`${String.raw`\*`.repeat(511)}…`);
  });
});
