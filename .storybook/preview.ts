import type { Preview } from "@storybook/react-vite";

const preview: Preview = {
  parameters: {
    // Any axe violation fails the story, in the UI's test panel and in `vitest --project storybook`.
    a11y: { test: "error" },
    layout: "padded",
  },
};

export default preview;
