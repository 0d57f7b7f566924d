import { describe, expect, it } from "vitest";
import { parseWorkerEnv } from "../config.ts";
import { DEFAULT_KEYWORDS } from "./config.ts";
import { extractFeatures } from "./features.ts";
import { parseKeywordRule } from "./keyword-rules.ts";
import { keywordMatcher } from "./keywords.ts";

const rules = ["failed@sshd|su:high", "exception@!kernel", "error:low", "panic@kernel:critical"].map(parseKeywordRule);
const match = keywordMatcher(DEFAULT_KEYWORDS, rules);
const feature = (message: string, extra: { source?: string } = {}) => extractFeatures({ message, ...extra }, match, 0);

describe("keyword rules", () => {
  it("reads keyword, scope and severity", () => {
    expect(parseKeywordRule(" Failed@sshd|!cron:high ")).toEqual({
      keyword: "failed",
      only: ["sshd"],
      except: ["cron"],
      severity: "high",
    });
    expect(parseKeywordRule("error")).toEqual({ keyword: "error", only: [], except: [], severity: "medium" });
    expect(() => parseKeywordRule("error:urgent")).toThrow(/severity must be one of info, low, medium, high, critical/);
    expect(() => parseKeywordRule("error@bad$name")).toThrow(/not a program or source name/);
  });

  it("counts a scoped keyword only where its scope takes the line: the syslog program, the collector's, or the log source", () => {
    expect(
      feature("Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for root from 203.0.113.9 port 22 ssh2"),
    ).toMatchObject({ keyword: "failed", keywordSeverity: "high" });
    expect(feature("Dec 10 06:55:48 LabSZ cron[1]: job failed")).toMatchObject({ keyword: null });
    expect(feature("job failed", { source: "su" })).toMatchObject({ keyword: "failed", keywordSeverity: "high" });
    expect(extractFeatures({ message: "login failed", process: { name: "sshd" } }, match, 0)).toMatchObject({
      keyword: "failed",
    });
  });

  it("keeps the kernel's harmless boot lines quiet but not its panics, and does not let a scoped-out hit hide a later one", () => {
    expect(
      feature("Jun 14 15:16:01 combo kernel: Checking 'hlt' instruction... exception support ... done."),
    ).toMatchObject({ keyword: null });
    expect(feature("Jun 14 15:16:01 combo kernel: Kernel panic - not syncing")).toMatchObject({
      keyword: "panic",
      keywordSeverity: "critical",
    });
    expect(feature("Jun 14 15:16:01 combo kernel: exception in handler, disk error")).toMatchObject({
      keyword: "error",
      keywordSeverity: "low",
    });
  });

  it("counts a keyword with no rule everywhere, as medium, as before", () => {
    expect(feature("Jun 14 15:16:01 combo kernel: access denied")).toMatchObject({
      keyword: "denied",
      keywordSeverity: "medium",
    });
    expect(
      extractFeatures({ message: "Dec 10 06:55:48 LabSZ cron[1]: job failed" }, keywordMatcher(DEFAULT_KEYWORDS), 0),
    ).toMatchObject({ keyword: "failed", keywordSeverity: "medium" });
  });

  it("is configured by KEYWORD_RULES, each bad rule named", () => {
    expect(parseWorkerEnv({ KEYWORD_RULES: "failed@sshd:high" }).KEYWORD_RULES).toEqual([
      { keyword: "failed", only: ["sshd"], except: [], severity: "high" },
    ]);
    expect(parseWorkerEnv({}).KEYWORD_RULES).toEqual([
      { keyword: "exception", only: [], except: ["kernel"], severity: "medium" },
    ]);
    expect(() => parseWorkerEnv({ KEYWORD_RULES: "failed@sshd:urgent,error@:low" })).toThrow(/KEYWORD_RULES/);
  });
});
