#!/usr/bin/env python3
"""Writes Sources/CuepointServer/Shows/OpenAPIDocument.swift from docs/openapi.json.

docs/openapi.json is the document to edit; the server serves the Swift copy at /openapi.json, and
ShowOpenAPITests fails until this script has been run after a change.
"""
import os

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
text = open(os.path.join(root, "docs/openapi.json"), encoding="utf-8").read()
swift = (
    "/// The OpenAPI 3.1 document of the show server's APIs, served at `/openapi.json`. It is\n"
    "/// `docs/openapi.json` byte for byte (a test compares them, and its paths with the routes);\n"
    "/// `scripts/embed-openapi.py` writes this file from it.\n"
    "enum OpenAPIDocument {\n"
    '    static let text = #"""\n' + text + '\n"""#\n}\n'
)
open(os.path.join(root, "Sources/CuepointServer/Shows/OpenAPIDocument.swift"), "w", encoding="utf-8").write(swift)
