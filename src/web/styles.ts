/** The stylesheet of both sites, kept in the code so that the bundle needs no asset files. */
export const STYLESHEET = `
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.45 Arial, Helvetica, sans-serif; color: #1e2a33; background: #f2f4f5; }
a { color: #0a60a8; }
header.top { display: flex; justify-content: space-between; align-items: center; background: #1d2a36; color: #fff; padding: 8px 16px; }
header.top .product { font-size: 16px; font-weight: bold; }
header.top .host { font-weight: normal; color: #b8c7d4; margin-left: 12px; font-size: 13px; }
header.top button.link { color: #cfe3f5; }
form.inline { display: inline; }
button.link { background: none; border: none; padding: 0 0 0 10px; cursor: pointer; text-decoration: underline; font: inherit; }
nav.menus { display: flex; gap: 6px; align-items: flex-start; background: #2f4558; padding: 0 16px; }
nav .menu { position: relative; }
nav .menu-label { display: block; color: #fff; padding: 9px 14px; font-weight: bold; text-decoration: none; }
nav button.menu-label { font: inherit; font-weight: bold; background: none; border: none; cursor: pointer; }
nav button.menu-label::after { content: ' \\25BE'; font-weight: normal; }
nav .menu-label:focus-visible, nav .menu li a:focus-visible { outline: 2px solid #f3c36b; outline-offset: -2px; }
nav .menu ul { display: none; position: absolute; z-index: 2; margin: 0; padding: 4px 0; list-style: none; background: #fff; border: 1px solid #a9b6c2; min-width: 230px; }
nav .menu:hover ul, nav .menu.open ul { display: block; }
nav .menu li a { display: block; padding: 5px 12px; text-decoration: none; }
nav .menu li a:hover, nav .menu li a:focus { background: #e7f0f8; }
nav .commit-box { margin-left: auto; padding: 5px 0; }
.commit { display: inline-block; padding: 4px 14px; border-radius: 3px; font-weight: bold; text-decoration: none; }
.commit.pending { background: #f39a1e; color: #1e1200; border: 1px solid #c87700; }
.commit.none { background: #56697a; color: #c9d3dc; }
.cluster-mode { background: #fff; border: 1px solid #b9c4ce; padding: 6px 10px; margin: 0 0 12px; }
.cluster-mode .mode-label { margin-right: 12px; }
.cluster-mode details { display: inline-block; margin-left: 16px; vertical-align: top; }
.cluster-mode summary { cursor: pointer; color: #0a60a8; }
.cluster-mode details table { margin-top: 6px; }
.banner.pending-changes { background: #fff3d6; border-bottom: 1px solid #f3c36b; padding: 6px 16px; }
main { padding: 12px 20px 40px; }
h1 { font-size: 20px; font-weight: normal; margin: 6px 0 14px; }
h2 { font-size: 15px; margin: 18px 0 8px; }
.notice { padding: 7px 10px; margin-bottom: 12px; border: 1px solid; }
.notice.success { background: #e8f6e6; border-color: #8cc785; }
.notice.error { background: #fdeaea; border-color: #e08b8b; }
table.settings, table.listing { border-collapse: collapse; background: #fff; border: 1px solid #b9c4ce; min-width: 560px; }
table.settings caption, table.listing caption { text-align: left; font-weight: bold; padding: 6px 0; }
table.settings th { text-align: left; vertical-align: top; width: 280px; background: #eef2f5; font-weight: normal; }
table.settings th, table.settings td, table.listing th, table.listing td { padding: 6px 10px; border: 1px solid #d3dbe2; vertical-align: top; }
table.listing th { background: #dfe6ec; text-align: left; }
table.listing td.num { text-align: right; font-variant-numeric: tabular-nums; }
.field-error { color: #b3261e; font-weight: bold; margin-top: 4px; }
input[type=text], input[type=password], input[type=number], textarea, select { font: inherit; padding: 3px 5px; border: 1px solid #9aa8b5; }
input.invalid, textarea.invalid { border-color: #b3261e; background: #fff6f6; }
.buttons { margin-top: 14px; display: flex; gap: 8px; }
button, .button { font: inherit; padding: 4px 14px; border: 1px solid #7d8d9c; background: #e9eef2; cursor: pointer; text-decoration: none; color: inherit; }
button.primary { background: #0a60a8; color: #fff; border-color: #08497f; }
.note { background: #eef5fb; border-left: 4px solid #0a60a8; padding: 6px 10px; margin: 10px 0; max-width: 760px; }
.muted { color: #5b6b78; }
pre.log { background: #fff; border: 1px solid #d3dbe2; padding: 8px; white-space: pre-wrap; }
.login { max-width: 360px; margin: 80px auto; background: #fff; border: 1px solid #b9c4ce; padding: 24px; }
.login h1 { margin-top: 0; }
.login label { display: block; margin-top: 10px; }
.login input { width: 100%; }
body.setd { background: #f5f7fa; }
body.setd header.top { background: #0d274d; }
.wizard-steps { display: flex; gap: 18px; margin: 6px 0 18px; padding: 0; list-style: none; }
.wizard-steps li { color: #6b7a88; }
.wizard-steps li.current { color: #0d274d; font-weight: bold; border-bottom: 3px solid #1f8ad6; }
.wizard-steps .n { display: inline-block; width: 22px; height: 22px; border-radius: 11px; background: #c7d2dc; color: #fff; text-align: center; margin-right: 4px; }
.wizard-steps li.current .n, .wizard-steps li.done .n { background: #1f8ad6; }
fieldset { border: 1px solid #c7d2dc; background: #fff; margin: 0 0 12px; padding: 10px 14px; max-width: 640px; }
legend { font-weight: bold; }
fieldset label { display: block; margin: 4px 0; }
.intake { font-family: monospace; font-size: 15px; background: #fff; border: 1px solid #c7d2dc; padding: 6px 10px; display: inline-block; }
.verdict { padding: 1px 6px; border-radius: 3px; background: #e4e9ee; }
.verdict.threat { background: #fbe1e1; color: #8f1d1d; }
`;
