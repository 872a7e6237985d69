/** Test doubles and fixtures for users of @berth/image. @packageDocumentation */
export {};
