import type { CSSProperties, ReactNode } from "react";

/** The heading levels the panel's sections may use, so they fit the page's outline. */
export type HeadingLevel = 2 | 3 | 4 | 5 | 6;

export function Heading(props: { readonly level: HeadingLevel; readonly id?: string; readonly style: CSSProperties | undefined; readonly children: ReactNode }): ReactNode {
  const Tag = `h${props.level}` as const;
  return (
    <Tag id={props.id} style={props.style}>
      {props.children}
    </Tag>
  );
}
