const { src, dest } = require('gulp');

// tsc compiles only TypeScript, so the node and credential icons are copied beside their output.
function copyIcons() {
	return src(['nodes/**/*.svg', 'credentials/**/*.svg', 'nodes/**/*.node.json'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:icons'] = copyIcons;
