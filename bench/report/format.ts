import type { Stat } from "../measure/timing";
import type { Cell, Format } from "./types";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatNumber(value: number, format: Format): string {
  switch (format) {
    case "ms":
      return value >= 100 ? integer.format(value) : value.toFixed(1);
    case "us":
      return value >= 100 ? integer.format(value) : value.toFixed(value >= 10 ? 1 : 2);
    case "count":
      return integer.format(value);
    case "rate":
      return `${integer.format(value / 1000)} k`;
    case "bytes":
      return `${(value / 2 ** 20).toFixed(1)} MiB`;
    case "ratio":
      return `${value.toFixed(2)}×`;
    case "text":
      return String(value);
  }
}

export function formatCell(cell: Cell | undefined, format: Format): string {
  if (cell === null || cell === undefined) return "—";
  if (typeof cell === "string") return cell;
  if (typeof cell === "number") return formatNumber(cell, format);
  return formatStat(cell, format);
}

function formatStat(stat: Stat, format: Format): string {
  return `**${formatNumber(stat.median, format)}** (${formatNumber(stat.min, format)}–${formatNumber(stat.max, format)})`;
}
