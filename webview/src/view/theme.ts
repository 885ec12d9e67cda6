// Chart colours come from the theme's own `--vscode-charts-*` variables, so curves follow
// light, dark and high-contrast themes; read again when VS Code switches theme (body class change).

export interface ChartTheme {
  foreground: string;
  grid: string;
  /** One colour per series or per run, in order. */
  palette: string[];
  font: string;
}

function cssVariable(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

export function readTheme(): ChartTheme {
  return {
    foreground: cssVariable('--vscode-foreground', '#cccccc'),
    grid: cssVariable('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)'),
    palette: [
      cssVariable('--vscode-charts-blue', '#3794ff'),
      cssVariable('--vscode-charts-orange', '#d18616'),
      cssVariable('--vscode-charts-green', '#89d185'),
      cssVariable('--vscode-charts-purple', '#b180d7'),
      cssVariable('--vscode-charts-red', '#f14c4c'),
      cssVariable('--vscode-charts-yellow', '#cca700'),
    ],
    font: cssVariable('--vscode-font-family', 'sans-serif'),
  };
}

export function onThemeChange(listener: () => void): void {
  new MutationObserver(listener).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** `#rrggbb` or `rgb(…)` with an alpha, for faint raw lines behind smoothed ones. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/.exec(color);
  if (rgb) {
    const [r, g, b] = rgb[1].split(',').map((part) => part.trim());
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  return color;
}
