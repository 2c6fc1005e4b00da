/// The OpenAPI 3.1 document of the show server's APIs, served at `/openapi.json`. It is
/// `docs/openapi.json` byte for byte (a test compares them, and its paths with the routes);
/// `scripts/embed-openapi.py` writes this file from it.
enum OpenAPIDocument {
    static let text = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Cuepoint show server",
    "version": "1.0.0",
    "description": "The control API of `cuepoint server` (shows, publish hooks) and each show's marker API. docs/shows.md explains states, hooks and restart; docs/markers.md the marker format."
  },
  "paths": {
    "/v1/shows": {
      "get": {
        "summary": "Every show",
        "operationId": "listShows",
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The shows, by id.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "shows"
                  ],
                  "properties": {
                    "shows": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Show"
                      }
                    }
                  },
                  "additionalProperties": false
                }
              }
            }
          },
          "401": {
            "description": "No admin token, or not the server's.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      },
      "post": {
        "summary": "Create a show from a pipeline document",
        "operationId": "createShow",
        "security": [
          {
            "adminToken": []
          }
        ],
        "description": "The body is a pipeline document (docs/pipeline.md), JSON or YAML. Its `name` is the show's id. Without `input`, the show takes its publisher on the server's RTMP port (or through a publish hook); without `output.directory`, it records under the data directory.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "required": [
                  "version",
                  "name"
                ],
                "properties": {
                  "version": {
                    "const": 1
                  },
                  "name": {
                    "type": [
                      "string",
                      "number",
                      "boolean"
                    ],
                    "pattern": "^[a-z0-9][a-z0-9._-]*$",
                    "description": "The show's id. As in a YAML pipeline file, any scalar is read as its text (`2025`, `false`)."
                  }
                },
                "description": "A pipeline document (Pipelines/cuepoint-pipeline.schema.json); `input` may be left out."
              }
            },
            "application/yaml": {
              "schema": {
                "type": "string"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "The show, created.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Show"
                }
              }
            }
          },
          "400": {
            "description": "The document cannot be decoded; `problems` lists each as `body:LINE:COLUMN: key: problem`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No admin token, or not the server's.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "A show with this id exists.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The document is larger than 1 MiB.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The server is stopping.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/shows/{id}": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The show's id (its pipeline document's `name`)."
        }
      ],
      "get": {
        "summary": "One show",
        "operationId": "getShow",
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The show.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Show"
                }
              }
            }
          },
          "401": {
            "description": "No admin token, or not the server's.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such show.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      },
      "delete": {
        "summary": "Remove a finished or failed show",
        "operationId": "deleteShow",
        "security": [
          {
            "adminToken": []
          }
        ],
        "description": "Removes the show's record and, when it recorded under the data directory, its recording and replay.",
        "responses": {
          "204": {
            "description": "Removed."
          },
          "401": {
            "description": "No admin token, or not the server's.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such show.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "The show is not over: end it first.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "500": {
            "description": "Its files could not be removed.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/shows/{id}/end": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The show's id (its pipeline document's `name`)."
        }
      ],
      "post": {
        "summary": "End a show",
        "operationId": "endShow",
        "security": [
          {
            "adminToken": []
          }
        ],
        "description": "The show's recording is finalised (open segment closed, final playlists) and its replay made when the document asks for one.",
        "responses": {
          "202": {
            "description": "The show, finalising (or finished when it had no publisher).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Show"
                }
              }
            }
          },
          "401": {
            "description": "No admin token, or not the server's.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such show.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "The show is over already.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/hooks/publish": {
      "post": {
        "summary": "A publisher arrived at a streaming server in front",
        "operationId": "publishHook",
        "description": "For SRS `on_publish`, MediaMTX `runOnReady` (through curl) and others: 200 only for the stream key of a show waiting for its publisher; the show then pulls `source_url`.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PublishHook"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The key is the show's: the streaming server may go on.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "show"
                  ],
                  "properties": {
                    "show": {
                      "type": "string"
                    }
                  },
                  "additionalProperties": false
                }
              }
            }
          },
          "400": {
            "description": "Not a JSON object with app, key and source_url.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "Refused: unknown key, a show already live, or over.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The body is too large.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/hooks/unpublish": {
      "post": {
        "summary": "A publisher left the streaming server in front",
        "operationId": "unpublishHook",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Hook"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The key is the show's: the streaming server may go on.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "show"
                  ],
                  "properties": {
                    "show": {
                      "type": "string"
                    }
                  },
                  "additionalProperties": false
                }
              }
            }
          },
          "400": {
            "description": "Not a JSON object with app and key.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "Unknown key.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The body is too large.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/hooks/nginx/on_publish": {
      "post": {
        "summary": "nginx-rtmp on_publish",
        "operationId": "nginxOnPublish",
        "parameters": [
          {
            "name": "rtmp",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "HOST:PORT of nginx's RTMP listener to pull from (default 127.0.0.1:1935)."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/x-www-form-urlencoded": {
              "schema": {
                "$ref": "#/components/schemas/NginxForm"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The key is the show's: the streaming server may go on.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "show"
                  ],
                  "properties": {
                    "show": {
                      "type": "string"
                    }
                  },
                  "additionalProperties": false
                }
              }
            }
          },
          "400": {
            "description": "The form has no app and name.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "Refused.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The body is too large.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/hooks/nginx/on_publish_done": {
      "post": {
        "summary": "nginx-rtmp on_publish_done",
        "operationId": "nginxOnPublishDone",
        "requestBody": {
          "required": true,
          "content": {
            "application/x-www-form-urlencoded": {
              "schema": {
                "$ref": "#/components/schemas/NginxForm"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The key is the show's: the streaming server may go on.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "show"
                  ],
                  "properties": {
                    "show": {
                      "type": "string"
                    }
                  },
                  "additionalProperties": false
                }
              }
            }
          },
          "400": {
            "description": "The form has no app and name.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "Unknown key.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The body is too large.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/v1/hooks/srs": {
      "post": {
        "summary": "SRS http_hooks on_publish and on_unpublish",
        "operationId": "srsHook",
        "parameters": [
          {
            "name": "rtmp",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "HOST:PORT of SRS's RTMP listener to pull from (default 127.0.0.1:1935)."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/SRSHook"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The key is the show's: SRS goes on (SRS wants the error code 0 as the body).",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string",
                  "const": "0"
                }
              }
            }
          },
          "400": {
            "description": "Not SRS's hook JSON, or an action other than on_publish and on_unpublish.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "Refused.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The body is too large.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/shows/{show}/v1/markers": {
      "parameters": [
        {
          "name": "show",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The show's id."
        }
      ],
      "get": {
        "summary": "The show's markers",
        "operationId": "listMarkers",
        "security": [
          {
            "markerToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "Every placed marker, by start.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Marker"
                  }
                }
              }
            }
          },
          "401": {
            "description": "No token, or not this show's marker token.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such show.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "429": {
            "description": "Too many requests from this client.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      },
      "post": {
        "summary": "Add a product marker",
        "operationId": "addMarker",
        "security": [
          {
            "markerToken": []
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "The placed marker.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Marker"
                }
              }
            }
          },
          "400": {
            "description": "Not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No token, or not this show's marker token.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such show.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "The id is used.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The body is too large.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "422": {
            "description": "Not a marker: each field's problem.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "429": {
            "description": "Too many requests.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The show takes no markers now (no publisher yet, or over).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/shows/{show}/v1/markers/{id}": {
      "parameters": [
        {
          "name": "show",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The show's id."
        },
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The marker's id."
        }
      ],
      "get": {
        "summary": "One marker",
        "operationId": "getMarker",
        "security": [
          {
            "markerToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The marker.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Marker"
                }
              }
            }
          },
          "401": {
            "description": "No token, or not this show's marker token.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such show or marker.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "429": {
            "description": "Too many requests.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/shows/{show}/v1/markers/{id}/close": {
      "parameters": [
        {
          "name": "show",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The show's id."
        },
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The marker's id."
        }
      ],
      "post": {
        "summary": "Close an open marker",
        "operationId": "closeMarker",
        "security": [
          {
            "markerToken": []
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The closed marker.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Marker"
                }
              }
            }
          },
          "400": {
            "description": "Not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No token, or not this show's marker token.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such show or marker.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "Closed already.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The body is too large.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "422": {
            "description": "A bad end.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "429": {
            "description": "Too many requests.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The show takes no markers now.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/shows/{show}/v1/products": {
      "parameters": [
        {
          "name": "show",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The show's id."
        }
      ],
      "get": {
        "summary": "The show's product catalogue (the console's products)",
        "operationId": "listProducts",
        "security": [
          {
            "markerToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The catalogue; [] when it has no products.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/ProductCard"
                  }
                }
              }
            }
          },
          "401": {
            "description": "No token, or not this show's marker token.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such show.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "429": {
            "description": "Too many requests from this client.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      },
      "put": {
        "summary": "Replace the show's product catalogue",
        "operationId": "replaceProducts",
        "description": "The whole catalogue at once: with any bad product it is refused (each problem by line and field) and the catalogue in place stays. Once the catalogue has products, a marker must name one of them as its product (422 otherwise).",
        "security": [
          {
            "markerToken": []
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "array",
                "items": {
                  "type": "object"
                }
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The new catalogue.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/ProductCard"
                  }
                }
              }
            }
          },
          "400": {
            "description": "Not JSON, or not UTF-8.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No token, or not this show's marker token.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such show.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "413": {
            "description": "The body is too large.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "422": {
            "description": "Not a catalogue: each problem by line and field.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "429": {
            "description": "Too many requests from this client.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The catalogue could not be kept on disk (console-products.json); the one in place stays.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    },
    "/shows/{show}/console": {
      "parameters": [
        {
          "name": "show",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The show's id."
        }
      ],
      "get": {
        "summary": "The producer console of the show (an HTML page; the producer types the marker token in it)",
        "operationId": "showConsole",
        "responses": {
          "200": {
            "description": "The console page, served with a Content-Security-Policy.",
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "404": {
            "description": "No such show: a page saying so.",
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "409": {
            "description": "The show is over (finished or failed): a page saying so.",
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/console/console.js": {
      "get": {
        "summary": "The console's script (one for every show)",
        "operationId": "consoleScript",
        "responses": {
          "200": {
            "description": "JavaScript.",
            "content": {
              "text/javascript": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/console/console.css": {
      "get": {
        "summary": "The console's stylesheet (one for every show)",
        "operationId": "consoleStylesheet",
        "responses": {
          "200": {
            "description": "CSS.",
            "content": {
              "text/css": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/healthz": {
      "get": {
        "summary": "Liveness",
        "operationId": "health",
        "responses": {
          "200": {
            "description": "ok",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "summary": "Prometheus metrics of every show (label `show`)",
        "operationId": "metrics",
        "responses": {
          "200": {
            "description": "Prometheus text.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "summary": "This document",
        "operationId": "openapi",
        "responses": {
          "200": {
            "description": "OpenAPI 3.1.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "adminToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "The admin token, from the environment variable named by --admin-token-env."
      },
      "markerToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "The show's marker_token."
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": [
          "error",
          "fix"
        ],
        "properties": {
          "error": {
            "type": "string"
          },
          "fix": {
            "type": "string"
          },
          "field": {
            "type": "string"
          },
          "problems": {
            "type": "array",
            "items": {}
          }
        }
      },
      "Hook": {
        "type": "object",
        "required": [
          "app",
          "key"
        ],
        "properties": {
          "app": {
            "type": "string"
          },
          "key": {
            "type": "string"
          },
          "source_url": {
            "type": "string"
          }
        }
      },
      "PublishHook": {
        "type": "object",
        "required": [
          "app",
          "key",
          "source_url"
        ],
        "properties": {
          "app": {
            "type": "string"
          },
          "key": {
            "type": "string"
          },
          "source_url": {
            "type": "string",
            "description": "Where the show's stream can be pulled from: rtmp://, rtmps:// or srt://."
          }
        }
      },
      "NginxForm": {
        "type": "object",
        "required": [
          "app",
          "name"
        ],
        "properties": {
          "call": {
            "type": "string"
          },
          "app": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "addr": {
            "type": "string"
          }
        }
      },
      "Marker": {
        "type": "object",
        "required": [
          "id"
        ],
        "properties": {
          "id": {
            "type": "string"
          }
        }
      },
      "Show": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "id",
          "state",
          "stream_key",
          "marker_token",
          "created_at",
          "source",
          "input",
          "renditions",
          "segments",
          "media_seconds",
          "markers",
          "warnings",
          "urls"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "state": {
            "type": "string",
            "enum": [
              "waiting_for_publisher",
              "live",
              "reconnect_wait",
              "finalising",
              "finished",
              "failed"
            ]
          },
          "failure": {
            "type": "string",
            "description": "Why the show failed (state `failed`)."
          },
          "stream_key": {
            "type": "string",
            "description": "The publish name: rtmp://HOST:PORT/live/STREAM_KEY."
          },
          "marker_token": {
            "type": "string",
            "description": "The bearer token of the show's marker API."
          },
          "created_at": {
            "type": "string",
            "format": "date-time"
          },
          "source": {
            "type": "string",
            "enum": [
              "api",
              "directory"
            ]
          },
          "input": {
            "type": "object",
            "required": [
              "kind"
            ],
            "additionalProperties": false,
            "properties": {
              "kind": {
                "type": "string",
                "enum": [
                  "rtmp_port",
                  "hook",
                  "pipeline"
                ]
              },
              "url": {
                "type": "string",
                "description": "The input, stream keys and passphrases hidden."
              }
            }
          },
          "renditions": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "segments": {
            "type": "integer",
            "minimum": 0
          },
          "media_seconds": {
            "type": "number",
            "minimum": 0
          },
          "markers": {
            "type": "integer",
            "minimum": 0
          },
          "lag_seconds": {
            "type": "number",
            "description": "How far the live recording is behind the wall clock (state `live`)."
          },
          "warnings": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "urls": {
            "type": "object",
            "required": [
              "master",
              "markers"
            ],
            "additionalProperties": false,
            "properties": {
              "master": {
                "type": "string"
              },
              "markers": {
                "type": "string"
              },
              "ingest": {
                "type": "string",
                "description": "Where a publisher sends the show, when it takes it on the server's RTMP port."
              },
              "replay": {
                "type": "string"
              }
            }
          }
        }
      },
      "ProductCard": {
        "type": "object",
        "description": "A product the console can pin (docs/console.md). Fields follow the marker rules: id those of a marker's product, title, url, price, currency and image those of the marker fields of the same name.",
        "required": [
          "id",
          "title",
          "url"
        ],
        "additionalProperties": false,
        "properties": {
          "id": {
            "type": "string",
            "description": "The product's id (SKU): the product of the markers that pin it."
          },
          "title": {
            "type": "string"
          },
          "price": {
            "type": [
              "number",
              "string"
            ],
            "description": "A decimal price such as 89.00."
          },
          "currency": {
            "type": "string",
            "description": "An ISO 4217 code such as USD."
          },
          "image": {
            "type": "string",
            "description": "An http(s) image URL."
          },
          "url": {
            "type": "string",
            "description": "The Buy link, an http(s) URL."
          }
        }
      },
      "SRSHook": {
        "type": "object",
        "description": "What SRS posts to its http_hooks (other fields, such as client_id, ip, vhost, tcUrl and param, are taken and ignored).",
        "required": [
          "action",
          "app",
          "stream"
        ],
        "properties": {
          "action": {
            "type": "string",
            "enum": [
              "on_publish",
              "on_unpublish"
            ]
          },
          "app": {
            "type": "string"
          },
          "stream": {
            "type": "string",
            "description": "The stream key."
          }
        }
      }
    }
  }
}

"""#
}
