import { createContext, useContext } from 'react';
import { loadTheme, type Theme } from './theme.js';

export const ThemeContext = createContext<Theme>(loadTheme('default', { env: {} }));
export const useTheme = (): Theme => useContext(ThemeContext);
