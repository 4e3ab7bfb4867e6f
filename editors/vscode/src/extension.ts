// The arrears extension: starts `arrears lsp` and hands it every `.policy` and `.schema` file.
// Everything it knows about the language comes from the server; the extension only starts it,
// passes the settings on, and restarts it when they change.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** The server as the settings describe it: `arrears.path lsp`, with `--lang` if one is set. */
function serverOptions(): ServerOptions {
  const settings = vscode.workspace.getConfiguration("arrears");
  const command = settings.get<string>("path") || "arrears";
  const lang = settings.get<string>("lang");
  const args = lang ? ["--lang", lang, "lsp"] : ["lsp"];
  return { command, args, transport: TransportKind.stdio };
}

async function start(): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "arrears" }],
    synchronize: {
      // A schema or module changed on disk (by git, say) changes what the open policies mean.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{policy,schema}"),
    },
  };
  client = new LanguageClient("arrears", "arrears", serverOptions(), clientOptions);
  try {
    await client.start();
  } catch (error) {
    const path = vscode.workspace.getConfiguration("arrears").get<string>("path");
    void vscode.window.showErrorMessage(
      `arrears: could not start \`${path} lsp\` (${error}). Set "arrears.path" to the arrears program.`,
    );
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("arrears")) {
        await client?.stop();
        await start();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
